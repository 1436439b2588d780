"""A labelled set for the duplicate engine: what someone types, the idea already in the backlog,
and whether they ask for the same thing. Written by hand, with the wording people really use:
synonyms, reordering, extra context, typos; the negatives share words but ask for something else.

Used by tests/scoring/test_duplicate_quality.py and bench/bench_duplicates.py.
"""

# The backlog the queries are matched against (besides the demo's own titles as distractors).
IDEAS = {
    "dark": "Dark mode for the admin console",
    "saml": "SAML single sign-on for the admin console",
    "rotate": "Rotate node keys automatically every 90 days",
    "auditexport": "Audit log export to S3 and Splunk",
    "posture": "Require device posture checks before joining",
    "scim": "SCIM provisioning for Okta and Azure AD",
    "sleep": "Client reconnects reliably after laptop sleep",
    "derp": "Relay failover when a DERP region goes down",
    "handover": "Keep connections alive across Wi-Fi to LTE handover",
    "battery": "Reduce client battery use on Android",
    "slowconsole": "Admin console loads slowly with 10,000 devices",
    "exitcountry": "Exit node selection by country",
    "magicdns": "Custom domains for MagicDNS names",
    "gha": "GitHub Actions integration for ephemeral nodes",
    "eur": "Invoice in EUR for European customers",
    "helm": "Helm chart for the subnet router",
    "splitdns": "Split DNS per user group",
    "freelimit": "Free plan limit of 3 users is too low for hobbyists",
    "onboarding": "In-app onboarding checklist for new tailnets",
    "flowlogs": "Network flow logs streamed to a SIEM",
    "splittunnel": "Per-app split tunnelling on macOS",
    "ipv6": "IPv6-only network support",
    "bulkapprove": "Bulk device approval for admins",
    "yubikey": "Hardware security key support for login",
    "mfa": "Enforce two-factor authentication for all users",
    "terraform": "Terraform provider support for ACL tests",
    "sharedevice": "Share a single device with an external user",
    "multithread": "Multi-threaded WireGuard encryption on Linux",
    "aclspeed": "Speed up ACL policy evaluation for large tailnets",
    "upgrade": "Graceful client upgrade without dropping sessions",
    "k8soperator": "Kubernetes operator survives API server restarts",
    "dnsretry": "Retry DNS resolution when MagicDNS times out",
    "statuswebhook": "Status page webhooks for control plane incidents",
    "whyrelayed": "CLI command to show why a connection is relayed",
    "usagebilling": "Usage-based billing dashboard for admins",
    "serveapp": "Serve a local web app to the tailnet with one command",
    "tagsidp": "Team-based device tags managed from the IdP",
    "accessgrant": "Short-lived access grants with approval",
    "tamper": "Tamper-evident audit trail for ACL changes",
    "latamrelay": "Lower latency relays in South America",
    "natdirect": "Faster direct connections through strict NATs",
    "csvexport": "Export the device list as CSV",
    "ssh": "SSH session recording for compliance",
    "webhookdevice": "Webhook when a new device joins the network",
    "darkmobile": "Dark theme in the iOS app",
}

# (what someone types, key of the idea in IDEAS, same request?)
PAIRS = [
    # Same request, other words.
    ("admin panel should support a dark theme", "dark", True),
    ("night mode for the dashboard please", "dark", True),
    ("darkmode admin ui", "dark", True),
    ("Dark mdoe for admin consle", "dark", True),
    ("SSO with SAML for the admin panel", "saml", True),
    ("single sign on via SAML", "saml", True),
    ("Log in to the console with our SAML identity provider", "saml", True),
    ("automatic key rotation for nodes", "rotate", True),
    ("node keys should expire and renew every 90 days", "rotate", True),
    ("rotate machine keys periodicaly", "rotate", True),
    ("export audit logs to splunk", "auditexport", True),
    ("ship the audit trail to an S3 bucket", "auditexport", True),
    ("send audit events to Splunk", "auditexport", True),
    ("check device posture before a device can join", "posture", True),
    ("posture checks required to join the network", "posture", True),
    ("Okta SCIM provisioning", "scim", True),
    ("sync users from Azure AD with SCIM", "scim", True),
    ("automatic user provisioning from Okta", "scim", True),
    ("client does not reconnect after my laptop wakes from sleep", "sleep", True),
    ("connection drops after suspend and never comes back", "sleep", True),
    ("reconnect after hibernate", "sleep", True),
    ("fail over to another relay when a DERP region is down", "derp", True),
    ("DERP outage should fall back to a different region", "derp", True),
    ("relay redundancy when a region goes offline", "derp", True),
    ("connections drop when switching from wifi to LTE", "handover", True),
    ("keep the tunnel alive when moving from Wi-Fi to cellular", "handover", True),
    ("roaming between wifi and mobile data breaks connection", "handover", True),
    ("Android app drains the battery", "battery", True),
    ("lower battery consumption on android", "battery", True),
    ("battery drain on my Android phone", "battery", True),
    ("admin dashboard is slow with thousands of devices", "slowconsole", True),
    ("console takes forever to load for 10k machines", "slowconsole", True),
    ("choose exit node by country", "exitcountry", True),
    ("pick an exit node in a specific country", "exitcountry", True),
    ("use my own domain for MagicDNS", "magicdns", True),
    ("custom domain names in MagicDNS", "magicdns", True),
    ("ephemeral nodes from GitHub Actions", "gha", True),
    ("GitHub Action to join CI runners as ephemeral nodes", "gha", True),
    ("invoices in euros", "eur", True),
    ("bill European customers in EUR", "eur", True),
    ("helm chart to deploy a subnet router", "helm", True),
    ("subnet router helm chart for kubernetes", "helm", True),
    ("split DNS by group of users", "splitdns", True),
    ("different DNS resolvers per user group", "splitdns", True),
    ("raise the free plan 3 user limit", "freelimit", True),
    ("free tier only allows 3 users, too few for a homelab", "freelimit", True),
    ("onboarding checklist inside the app for new tailnets", "onboarding", True),
    ("getting-started checklist for a new tailnet", "onboarding", True),
    ("stream network flow logs to our SIEM", "flowlogs", True),
    ("flow logs to Splunk", "flowlogs", True),
    ("split tunneling per application on mac", "splittunnel", True),
    ("per-app split tunnel on macOS", "splittunnel", True),
    ("support networks that are IPv6 only", "ipv6", True),
    ("ipv6-only support", "ipv6", True),
    ("approve many devices at once", "bulkapprove", True),
    ("bulk approve devices in the admin console", "bulkapprove", True),
    ("YubiKey login", "yubikey", True),
    ("log in with a security key (WebAuthn)", "yubikey", True),
    ("passkeys for signing in", "yubikey", True),
    ("require 2FA for every user", "mfa", True),
    ("enforce multi-factor auth", "mfa", True),
    ("terraform provider should run ACL tests", "terraform", True),
    ("share one machine with someone outside my tailnet", "sharedevice", True),
    ("share a device with an external guest", "sharedevice", True),
    ("multithreaded wireguard on linux", "multithread", True),
    ("use multiple cores for WireGuard encryption on Linux", "multithread", True),
    ("ACL evaluation is slow on big tailnets", "aclspeed", True),
    ("faster acl policy evaluation", "aclspeed", True),
    ("upgrade the client without dropping connections", "upgrade", True),
    ("kubernetes operator should survive API server restart", "k8soperator", True),
    ("k8s operator breaks when the apiserver restarts", "k8soperator", True),
    ("retry dns when magicdns times out", "dnsretry", True),
    ("MagicDNS timeouts should be retried", "dnsretry", True),
    ("webhooks from the status page for incidents", "statuswebhook", True),
    ("cli command that explains why my connection goes through a relay", "whyrelayed", True),
    ("usage based billing dashboard", "usagebilling", True),
    ("serve a local web app to my tailnet with a single command", "serveapp", True),
    ("device tags from the IdP by team", "tagsidp", True),
    ("temporary access grants that need approval", "accessgrant", True),
    ("short lived access with an approver", "accessgrant", True),
    ("tamper evident audit log of ACL changes", "tamper", True),
    ("lower latency relay in south america", "latamrelay", True),
    ("faster direct connections behind strict NAT", "natdirect", True),
    ("export devices to a csv file", "csvexport", True),
    ("record SSH sessions for compliance audits", "ssh", True),
    ("webhook on new device joining", "webhookdevice", True),
    ("dark mode on iPhone", "darkmobile", True),
    # Shares words, asks for something else.
    ("admin console is slow", "dark", False),
    ("dark mode in the iOS app", "dark", False),
    ("SAML login for the iOS app", "darkmobile", False),
    ("admin console loads slowly", "saml", False),
    ("rotate API tokens", "rotate", False),
    ("export the device list to CSV", "auditexport", False),
    ("audit log of ACL changes", "auditexport", False),
    ("device approval in bulk", "posture", False),
    ("SCIM for Google Workspace groups", "splitdns", False),
    ("laptop battery drain on Windows", "sleep", False),
    ("lower latency relays in Asia", "derp", False),
    ("wifi calling on android", "battery", False),
    ("Android dark mode", "battery", False),
    ("10,000 devices limit on the business plan", "slowconsole", False),
    ("exit node on Apple TV", "exitcountry", False),
    ("MagicDNS on Windows servers", "magicdns", False),
    ("GitHub login for the admin console", "gha", False),
    ("pay by bank transfer", "eur", False),
    ("Helm chart for the operator's CRDs", "k8soperator", False),
    ("DNS over HTTPS", "splitdns", False),
    ("raise the API rate limit", "freelimit", False),
    ("onboarding emails for new users", "onboarding", False),
    ("stream audit logs to Datadog", "flowlogs", False),
    ("split tunneling on Windows", "ipv6", False),
    ("approve subnet routes automatically", "bulkapprove", False),
    ("terraform provider for DNS settings", "terraform", False),
    ("share files between devices", "sharedevice", False),
    ("WireGuard key export", "multithread", False),
    ("ACL tests in the admin console", "aclspeed", False),
    ("client crashes on upgrade to Windows 11", "sleep", False),
    ("kubernetes ingress controller", "k8soperator", False),
    ("status page for the mobile app", "statuswebhook", False),
    ("CLI autocomplete for zsh", "whyrelayed", False),
    ("billing in Japanese yen", "usagebilling", False),
    ("serve a static site from the docs", "serveapp", False),
    ("temporary exit node", "accessgrant", False),
    ("relay servers in Africa", "natdirect", False),
    ("SSH into Windows machines", "ssh", False),
    ("webhook when a device key expires", "rotate", False),
    ("email digest of new devices", "webhookdevice", False),
]


def create_backlog() -> dict[str, int]:
    """Store the labelled ideas, plus the demo's titles as distractors; returns key -> idea id."""
    from intake.demo import BASE_IDEAS
    from intake.models import Idea

    ids = {key: Idea.objects.create(title=title).pk for key, title in IDEAS.items()}
    known = set(IDEAS.values())
    Idea.objects.bulk_create(Idea(title=title) for title, *_ in BASE_IDEAS if title not in known)
    return ids


def evaluate(find, ids: dict[str, int], *, k: int = 5) -> dict:
    """Precision and recall at k: a pair counts as predicted duplicate when its idea is among
    the k suggestions `find(text)` returns (a list of (idea id, similarity))."""
    tp = fp = fn = 0
    misses, false_alarms = [], []
    for text, key, same in PAIRS:
        found = ids[key] in [pk for pk, _ in find(text)[:k]]
        if same and found:
            tp += 1
        elif same:
            fn += 1
            misses.append(text)
        elif found:
            fp += 1
            false_alarms.append(text)
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "misses": misses,
        "false_alarms": false_alarms,
    }
