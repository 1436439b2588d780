"""The demo company's backlog as people wrote it: a mesh-VPN vendor's ideas and their signals.

Every idea is a request its users really make; every signal says it in its channel's voice
(a terse GitHub issue, a Reddit post, a sales rep's note about a named customer, an employee's
one-liner, a Slack message, a support ticket). Five ideas are duplicates, worded differently,
that the loader merges into the idea they repeat. Pillar, impact and bridge criteria are set as
a PM would, so the ranking reads: security work enterprise customers are waiting for on top,
then reliability, then performance and features, with demand moving ideas within their pillar.

Signal helpers return plain dicts; the loader turns them into rows.
"""

from dataclasses import dataclass, field

# Bridge criteria (scoring's defaults) by letter.
BRIDGE = {
    "D": "Developer-led adoption",
    "E": "Enterprise IT can approve it",
    "C": "Spans client and platform",
    "U": "Ships without a client upgrade",
    "T": "Reduces tech debt",
}

TEAMS = [
    "Networking", "Client", "Platform", "Identity", "Enterprise", "DevEx", "Billing",
    "Kubernetes", "Security", "Growth",
]  # fmt: skip

# (name, plan, ARR, e-mail domain)
COMPANIES = [
    ("Acme Robotics", "enterprise", 480000, "acme-robotics.example"),
    ("Globex", "enterprise", 1250000, "globex.example"),
    ("Initech", "business", 96000, "initech.example"),
    ("Umbrella Health", "enterprise", 720000, "umbrella-health.example"),
    ("Stark Logistics", "business", 150000, "stark-logistics.example"),
    ("Wayne Fintech", "enterprise", 2100000, "wayne-fintech.example"),
    ("Hooli Cloud", "enterprise", 890000, "hooli.example"),
    ("Pied Piper", "starter", 12000, "piedpiper.example"),
    ("Vandelay Imports", "business", 64000, "vandelay.example"),
    ("Soylent Foods", "business", 88000, "soylent.example"),
    ("Cyberdyne Systems", "enterprise", 1500000, "cyberdyne.example"),
    ("Tyrell Labs", "business", 210000, "tyrell.example"),
    ("Wonka Industries", "starter", 18000, "wonka.example"),
    ("Oscorp Research", "enterprise", 640000, "oscorp.example"),
    ("Aperture Science", "business", 120000, "aperture.example"),
    ("Massive Dynamic", "enterprise", 980000, "massivedynamic.example"),
    ("Duff Networks", "starter", 9000, "duff.example"),
    ("Gringotts Bank", "enterprise", 1800000, "gringotts.example"),
    ("Monarch Media", "business", 75000, "monarch.example"),
    ("Nakatomi Trading", "enterprise", 560000, "nakatomi.example"),
    ("Bluth Homes", "starter", 6000, "bluth.example"),
    ("Prestige Worldwide", "free", 0, "prestige.example"),
    ("Dunder Paper", "business", 42000, "dunder.example"),
    ("Sterling Cooper", "business", 99000, "sterlingcooper.example"),
    ("Blue Sun Shipping", "enterprise", 430000, "bluesun.example"),
    ("Weyland Mining", "enterprise", 1320000, "weyland.example"),
    ("Ollivander Tools", "starter", 15000, "ollivander.example"),
    ("Krusty Kitchens", "free", 0, "krusty.example"),
    ("Rekall Travel", "business", 58000, "rekall.example"),
    ("Zorg Manufacturing", "enterprise", 770000, "zorg.example"),
]

# Colleagues who send ideas (username: full name, team, groups). Only the demo users of
# DEMO_USERS in the loader can log in; these have no password.
COLLEAGUES = {
    "dana": ("Dana Whitfield", "Support", ["Employee"]),
    "lee": ("Lee Park", "Solutions Engineering", ["Employee"]),
    "noor": ("Noor Haddad", "Developer Relations", ["Employee"]),
    "tomas": ("Tomás Ruiz", "Client", ["Employee"]),
    "jordan": ("Jordan Blake", "Sales", ["Employee", "Sales"]),
    "mia": ("Mia Chen", "Sales", ["Employee", "Sales"]),
}

HANDLES = """homelab_hank k8s-kira nixos-nate selfhost_sam pfsense_pat wg-wendy tailnet_tom
raspi-rosa ops_olu devnull_dee router-rui mesh_mo jumpbox-jay sre_saanvi ansible-ana
proxmox_pete cloudy-cam airgap_abe ipv6-ivy zeroconf_zoe packet_paulo latency-lin
netadmin_ned gitops-gus terraform_tia macbook-mel byod_bo uptime_uma flannel-finn
dnsmasq_dora caddy-cy tunnel_tariq bastion-bea lan_party_leo""".split()


@dataclass
class IdeaSpec:
    key: str
    title: str
    description: str
    pillar: str
    area: str
    team: str
    surface: str
    status: str = "new"
    impact: int = 2
    bridge: str = ""  # letters of BRIDGE
    signals: list[dict] = field(default_factory=list)
    merge_into: str = ""  # the key of the idea this duplicate is merged into
    decline_reason: str = ""
    revisit_when: str = ""
    public_summary: str = ""
    customer_summary: str = ""


# Signal helpers: one per channel, in its voice.


def gh(title: str, body: str, *, votes: int = 0, comments: int = 0, closed: bool = False):
    return {"kind": "github_issue", "title": title, "body": body, "votes": votes,
            "comments": comments, "state": "closed" if closed else "open"}  # fmt: skip


def ghd(title: str, body: str, *, votes: int = 0, comments: int = 0):
    return {"kind": "github_discussion", "title": title, "body": body, "votes": votes,
            "comments": comments}  # fmt: skip


def rd(title: str, body: str, *, votes: int = 1, comments: int = 0):
    return {"kind": "reddit_post", "title": title, "body": body, "votes": votes,
            "comments": comments}  # fmt: skip


def sales(customer: str, title: str, words: str, *, arr: int, urgency: str, by: str = "sales",
          stage: str = "open", competitor: str = ""):  # fmt: skip
    return {"kind": "sales", "customer": customer, "title": title, "body": words, "arr": arr,
            "urgency": urgency, "by": by, "stage": stage, "competitor": competitor}  # fmt: skip


def emp(by: str, title: str, body: str = ""):
    return {"kind": "employee", "by": by, "title": title, "body": body}


def slack(by: str, text: str, *, customer: str = "", arr: int | None = None, urgency: str = ""):
    return {"kind": "slack", "by": by, "body": text, "customer": customer, "arr": arr,
            "urgency": urgency}  # fmt: skip


def zd(customer: str, requester: str, subject: str, body: str, *, solved: bool = False):
    return {"kind": "zendesk", "customer": customer, "requester": requester,
            "title": subject, "body": body, "state": "closed" if solved else "open"}  # fmt: skip


def api(customer: str, title: str, body: str):
    """A call summary posted by the sales team's call-recording bot through the API."""
    return {"kind": "api", "customer": customer, "title": title, "body": body}


IDEAS = [
    # Security
    IdeaSpec(
        "scim",
        "SCIM user and group provisioning from Okta and Entra ID",
        "Create, update and remove users and groups from the identity provider, so that "
        "offboarding someone there removes their access here at once.",
        "security",
        "Identity",
        "Identity",
        "platform",
        "planned",
        3,
        "EU",
        customer_summary="User and group provisioning with SCIM is being built; Okta and "
        "Entra ID first.",
        public_summary="SCIM provisioning is on the roadmap.",
        signals=[
            gh(
                "SCIM 2.0 endpoint for user provisioning",
                "Offboarding is manual: when someone leaves, their devices stay in the "
                "network until an admin notices. Okta can push deprovisioning over SCIM.",
                votes=212,
                comments=48,
            ),
            ghd(
                "Sync groups from Entra ID?",
                "We map Entra groups to ACL groups by hand every week. Anyone found a way "
                "to automate it?",
                votes=64,
                comments=17,
            ),
            rd(
                "Is there any way to auto-remove users when they leave the company?",
                "Small IT team here. Forgot to remove a contractor for 3 weeks. Does this "
                "support SCIM yet or do I script it against the API?",
                votes=143,
                comments=39,
            ),
            sales(
                "Globex",
                "SCIM from Entra ID before renewal",
                "Globex's CISO made it a renewal condition: joiners and leavers must sync "
                "from Entra ID, no manual step. Renewal is in March.",
                arr=1250000,
                urgency="deal_breaker",
                competitor="Zscaler",
            ),
            sales(
                "Wayne Fintech",
                "Automatic deprovisioning for auditors",
                "Their SOC 2 auditor flagged that access removal takes up to a day. They "
                "want Okta SCIM so it is immediate.",
                arr=400000,
                urgency="blocker",
                by="jordan",
            ),
            zd(
                "Umbrella Health",
                "Priya Raman",
                "User provisioning from Azure AD",
                "Hello, we are rolling out to 600 staff next month. Is there a way to "
                "provision users from Azure AD instead of inviting each one?",
            ),
            slack(
                "lee",
                "third enterprise POC this month blocked on SCIM. Okta shops "
                "just expect it, can we get it on the roadmap?",
            ),
            emp(
                "dana",
                "SCIM provisioning",
                "Support spends hours a week removing leavers for customers who forgot to.",
            ),
        ],
    ),
    IdeaSpec(
        "saml",
        "SAML single sign-on for the admin console",
        "Admins sign in to the console through the company's identity provider with SAML, "
        "with just-in-time accounts.",
        "security",
        "Identity",
        "Identity",
        "platform",
        "planned",
        3,
        "EU",
        customer_summary="SAML single sign-on is in beta; ask your account team to join.",
        public_summary="SAML single sign-on is in beta.",
        signals=[
            gh(
                "Support SAML for console login",
                "OIDC works for us but our IdP (ADFS) only speaks SAML. Blocking rollout.",
                votes=97,
                comments=22,
            ),
            sales(
                "Cyberdyne Systems",
                "SAML SSO for admins",
                "Cyberdyne only allows SAML for any admin tool; security review fails without it.",
                arr=300000,
                urgency="blocker",
                competitor="Cloudflare Zero Trust",
            ),
            sales(
                "Gringotts Bank",
                "SAML with ADFS",
                "Bank runs ADFS on premises. No SAML, no purchase.",
                arr=250000,
                urgency="deal_breaker",
                by="mia",
                stage="lost",
                competitor="Cloudflare Zero Trust",
            ),
            zd(
                "Nakatomi Trading",
                "Ken Sato",
                "SAML login for console",
                "Our policy requires SAML SSO for all admin consoles. When is it available?",
            ),
            slack(
                "jordan",
                "lost Gringotts partly on SAML :( ADFS only, they went with Cloudflare",
                customer="Gringotts Bank",
                urgency="deal_breaker",
            ),
        ],
    ),
    IdeaSpec(
        "keyrot",
        "Rotate node keys automatically",
        "Node keys rotate on a schedule the admin sets, without the device dropping its "
        "connections or the user signing in again.",
        "security",
        "Keys",
        "Security",
        "both",
        "planned",
        3,
        "EC",
        public_summary="Automatic key rotation is in alpha.",
        customer_summary="Automatic node key rotation is in alpha (client 1.62 or newer).",
        signals=[
            gh(
                "Automatic key rotation without re-auth",
                "Key expiry forces users to log in again every 180 days. Rotate the key "
                "silently instead?",
                votes=131,
                comments=26,
            ),
            rd(
                "Key expiry logged out half our servers this morning",
                "Disabled key expiry on servers ages ago, forgot one. Why can't it just "
                "rotate keys by itself?",
                votes=88,
                comments=31,
            ),
            sales(
                "Oscorp Research",
                "90-day key rotation policy",
                "Oscorp's policy says every credential rotates at least every 90 days. "
                "They need it automatic and logged.",
                arr=150000,
                urgency="important",
            ),
            emp(
                "tomas",
                "Silent node key rotation",
                "Key expiry is the #1 reason for 'I got logged out' reports.",
            ),
            zd(
                "Massive Dynamic",
                "Olivia Dunham",
                "Servers disconnected after key expiry",
                "Several of our servers dropped off overnight with 'node key expired'. Can keys "
                "renew automatically?",
                solved=True,
            ),
        ],
    ),
    IdeaSpec(
        "audit",
        "Stream the audit log to S3, Splunk or Datadog",
        "Every admin action is streamed as it happens to the customer's own storage or SIEM.",
        "security",
        "Audit",
        "Enterprise",
        "platform",
        "planned",
        2,
        "EU",
        customer_summary="Audit log streaming to S3 and Splunk is in beta.",
        signals=[
            sales(
                "Hooli Cloud",
                "Audit log into Splunk",
                "Hooli's SOC wants every admin change in Splunk within a minute.",
                arr=120000,
                urgency="blocker",
                by="mia",
            ),
            sales(
                "Umbrella Health",
                "Audit trail for HIPAA",
                "They need audit events kept 6 years in their own S3 bucket for HIPAA.",
                arr=90000,
                urgency="important",
            ),
            zd(
                "Blue Sun Shipping",
                "Mal Reynolds",
                "Export audit log?",
                "The console shows 90 days of audit log. Can we export it or send it to Datadog?",
            ),
            gh(
                "Audit log streaming",
                "Webhook or S3 sink for the configuration audit log, "
                "please. Polling the API misses events.",
                votes=41,
                comments=9,
            ),
        ],
    ),
    IdeaSpec(
        "posture",
        "Only let devices that pass posture checks join",
        "Devices must meet a posture policy (disk encrypted, OS up to date, MDM enrolled) "
        "to connect.",
        "security",
        "Posture",
        "Security",
        "both",
        "planned",
        3,
        "EC",
        customer_summary="Device posture checks are planned (client 1.66 or newer).",
        signals=[
            sales(
                "Acme Robotics",
                "Block unmanaged laptops",
                "Acme wants only Intune-enrolled laptops on the network; contractors' "
                "personal machines must be refused.",
                arr=180000,
                urgency="blocker",
            ),
            sales(
                "Weyland Mining",
                "Posture check with Jamf",
                "Jamf compliance status should decide whether a Mac can connect.",
                arr=200000,
                urgency="important",
                by="jordan",
                competitor="Zscaler",
            ),
            zd(
                "Acme Robotics",
                "Rita Okafor",
                "Restrict access to company devices",
                "How can we stop employees from logging in on personal phones?",
            ),
            slack(
                "lee",
                "posture came up again in the Weyland security review, they "
                "compare us to Zscaler's device posture",
                customer="Weyland Mining",
                urgency="important",
            ),
            rd(
                "Any way to require disk encryption before a device joins?",
                "Running this for a 30-person company, want to block unencrypted laptops.",
                votes=22,
                comments=8,
            ),
        ],
    ),
    IdeaSpec(
        "flowlogs",
        "Network flow logs for the SIEM",
        "Connection metadata (who talked to what, when, how much) streamed to the SIEM.",
        "security",
        "Logging",
        "Enterprise",
        "platform",
        "planned",
        2,
        "E",
        customer_summary="Network flow logs are planned.",
        signals=[
            sales(
                "Gringotts Bank",
                "Flow logs for the regulator",
                "Regulator asks which devices reached the payment systems; they need flow "
                "logs kept a year.",
                arr=200000,
                urgency="important",
                by="mia",
            ),
            zd(
                "Nakatomi Trading",
                "Ken Sato",
                "Connection logs",
                "Can we see which users connected to which servers last week?",
            ),
            api(
                "Zorg Manufacturing",
                "Call: flow logs for incident response",
                "Security lead asked whether flow logs exist; they had an incident and "
                "could not tell which devices reached the file server.",
            ),
        ],
    ),
    IdeaSpec(
        "jit",
        "Time-limited access to production with an approval step",
        "An engineer requests access to a production group for a few hours; a second person "
        "approves; access ends by itself.",
        "security",
        "Access",
        "Security",
        "platform",
        "under_review",
        2,
        "EU",
        signals=[
            gh(
                "Just-in-time access requests",
                "Request -> approve -> access for N hours -> revoke. Like PAM tools do.",
                votes=58,
                comments=14,
            ),
            sales(
                "Wayne Fintech",
                "Break-glass access with approval",
                "Production access must be approved and expire; today they remove people "
                "from groups by hand.",
                arr=150000,
                urgency="important",
            ),
            slack(
                "noor",
                "devs at the meetup kept asking for temporary prod access that "
                "expires, like sudo for the network",
            ),
        ],
    ),
    IdeaSpec(
        "webauthn",
        "Sign in to the console with a hardware security key",
        "Admins can require a FIDO2 key (YubiKey, passkeys) to sign in to the console.",
        "security",
        "Identity",
        "Identity",
        "platform",
        "under_review",
        2,
        "EU",
        signals=[
            gh(
                "WebAuthn / YubiKey for console login",
                "Password + TOTP is not enough for the admin console of our whole network.",
                votes=77,
                comments=12,
            ),
            rd(
                "Passkeys for the admin console?",
                "Would love passkey login instead of Google SSO.",
                votes=35,
                comments=6,
            ),
            zd(
                "Tyrell Labs",
                "Rachael Tyrell",
                "Security keys for admins",
                "Do you support hardware keys for admin accounts?",
            ),
        ],
    ),
    IdeaSpec(
        "aclapprove",
        "Require a second admin to approve ACL changes",
        "A change to the access policy takes effect only once another admin approves it.",
        "security",
        "ACLs",
        "Enterprise",
        "platform",
        "new",
        2,
        "EU",
        signals=[
            sales(
                "Gringotts Bank",
                "Four-eyes rule for policy changes",
                "Their change control needs two people for any firewall rule; the ACL file counts.",
                arr=100000,
                urgency="important",
                by="mia",
            ),
            gh(
                "Two-person review for ACL edits in the console",
                "We use GitOps for ACLs for the review step. A console option would help "
                "smaller teams.",
                votes=19,
                comments=4,
            ),
        ],
    ),
    IdeaSpec(
        "dlp",
        "Inspect traffic in the control plane for data loss prevention",
        "Scan traffic centrally for sensitive data leaving the network.",
        "security",
        "Access",
        "Security",
        "platform",
        "declined",
        1,
        "",
        decline_reason="Traffic is end-to-end encrypted between devices and never passes our "
        "control plane; inspecting it would break that promise. Use a DLP tool on the exit "
        "node or endpoint instead.",
        signals=[
            sales(
                "Cyberdyne Systems",
                "DLP on VPN traffic",
                "Asked whether we can scan traffic for credit card numbers like their old "
                "VPN concentrator did.",
                arr=50000,
                urgency="nice_to_have",
                competitor="Zscaler",
            ),
        ],
    ),
    # Reliability
    IdeaSpec(
        "sleep",
        "Reconnect within seconds after a laptop wakes from sleep",
        "After sleep the client notices the new network and reconnects in seconds instead of "
        "a minute or more.",
        "reliability",
        "Connectivity",
        "Client",
        "client",
        "planned",
        3,
        "CT",
        public_summary="Faster reconnect after sleep is in development.",
        customer_summary="Faster reconnect after sleep is in development (client 1.64).",
        signals=[
            gh(
                "Takes 60-90s to reconnect after waking from sleep (macOS)",
                "Open the lid, SSH sessions hang for over a minute. `netcheck` shows the old "
                "interface still.",
                votes=326,
                comments=91,
            ),
            gh(
                "Windows: no connectivity after resume until restart of service",
                "Happens ~1 in 5 resumes on Windows 11. Restarting the service fixes it.",
                votes=118,
                comments=37,
            ),
            rd(
                "Anyone else have to toggle the VPN every morning?",
                "Every morning: open laptop, nothing works, toggle off and on. Mac M2.",
                votes=412,
                comments=120,
            ),
            emp(
                "dana",
                "Reconnect after sleep",
                "Top ticket category this quarter: 'VPN broken after sleep'.",
            ),
            slack(
                "tomas",
                "fwiw the sleep/wake reconnect bug is the most upvoted issue on "
                "github by far, we should fix netmon",
            ),
            zd(
                "Stark Logistics",
                "Tony Ng",
                "Connection lost after sleep",
                "Our drivers' laptops lose the connection after sleep and they cannot reach "
                "the dispatch server until they reboot.",
            ),
            zd(
                "Soylent Foods",
                "Sol Roth",
                "Have to reconnect every morning",
                "Staff complain they must reconnect every morning.",
                solved=True,
            ),
        ],
    ),
    IdeaSpec(
        "derp",
        "Fail over to another relay region when one goes down",
        "When a relay region is down, relayed traffic moves to the next closest region on its own.",
        "reliability",
        "Relays",
        "Networking",
        "platform",
        "planned",
        3,
        "U",
        public_summary="Relay failover between regions is planned.",
        customer_summary="Relay failover between regions is planned.",
        signals=[
            gh(
                "All relayed connections dropped during the Frankfurt relay outage",
                "Frankfurt relay was down 40 minutes; clients never tried Amsterdam.",
                votes=74,
                comments=21,
            ),
            sales(
                "Hooli Cloud",
                "Relay resilience after outage",
                "Hooli lost remote access for 40 minutes in the Frankfurt outage; they "
                "want automatic failover or a credit.",
                arr=300000,
                urgency="blocker",
            ),
            zd(
                "Initech",
                "Bill Lumbergh",
                "Outage this morning",
                "Half of our remote staff could not connect between 9:10 and 9:50.",
            ),
            emp("dana", "Relay failover", "The Frankfurt outage produced 140 tickets."),
        ],
    ),
    IdeaSpec(
        "handover",
        "Keep connections alive when switching from Wi-Fi to mobile data",
        "Moving from Wi-Fi to 4G/5G keeps existing connections instead of dropping them.",
        "reliability",
        "Connectivity",
        "Client",
        "client",
        "under_review",
        2,
        "T",
        signals=[
            gh(
                "iOS: SSH drops when leaving home Wi-Fi",
                "Walking out the door kills every session; mosh survives, ssh doesn't.",
                votes=63,
                comments=15,
            ),
            rd(
                "Calls drop when phone switches from wifi to LTE",
                "Using it for a SIP phone, every handover drops the call.",
                votes=41,
                comments=12,
            ),
        ],
    ),
    IdeaSpec(
        "operator",
        "Kubernetes operator recovers when the API server restarts",
        "The operator reconnects and resumes after a control-plane restart instead of "
        "crash-looping.",
        "reliability",
        "Operator",
        "Kubernetes",
        "platform",
        "planned",
        2,
        "DU",
        signals=[
            gh(
                "Operator crash-loops after EKS control plane upgrade",
                "After the EKS upgrade the operator never recovered, proxies stayed stale.",
                votes=39,
                comments=11,
            ),
            ghd(
                "Operator stuck after apiserver restart",
                "Anyone else need to delete the operator pod after cluster upgrades?",
                votes=12,
                comments=5,
            ),
        ],
    ),
    IdeaSpec(
        "magicdns",
        "MagicDNS keeps resolving when the upstream resolver times out",
        "Name resolution falls back to another resolver instead of failing when the "
        "configured one is slow.",
        "reliability",
        "DNS",
        "Networking",
        "both",
        "new",
        2,
        "T",
        signals=[
            gh(
                "DNS lookups fail intermittently when upstream is slow",
                "Corporate resolver sometimes takes 3s; we get SERVFAIL instead of a retry.",
                votes=27,
                comments=9,
            ),
            zd(
                "Monarch Media",
                "Don Draper",
                "Websites not loading sometimes",
                "When connected, some websites fail to load until we disconnect.",
            ),
        ],
    ),
    IdeaSpec(
        "upgrade",
        "Upgrade the client without dropping active connections",
        "Client updates install without interrupting connections in use.",
        "reliability",
        "Updates",
        "Client",
        "client",
        "under_review",
        2,
        "T",
        signals=[
            gh(
                "Auto-update kills active sessions",
                "Unattended upgrades restart the daemon mid-deploy. Can it hand over the tunnel?",
                votes=44,
                comments=8,
            ),
            emp("tomas", "Hitless client upgrades"),
        ],
    ),
    IdeaSpec(
        "ipv6",
        "Work on IPv6-only networks",
        "The client connects and relays work on networks without IPv4.",
        "reliability",
        "Connectivity",
        "Networking",
        "both",
        "new",
        2,
        "C",
        signals=[
            gh(
                "No connectivity on IPv6-only mobile network (T-Mobile US)",
                "464XLAT network, client can't reach coordination server.",
                votes=52,
                comments=19,
            ),
            rd(
                "Does it work on IPv6-only VPS?",
                "Cheap IPv6-only VPS, client never comes up.",
                votes=18,
                comments=7,
            ),
        ],
    ),
    # Performance
    IdeaSpec(
        "wgcores",
        "Use all CPU cores for WireGuard encryption on Linux",
        "Encryption spreads over every core, so a Linux subnet router reaches line rate.",
        "performance",
        "Data plane",
        "Networking",
        "client",
        "shipped",
        2,
        "D",
        public_summary="Shipped in 1.58: up to 2.5 times the throughput on multi-core Linux.",
        customer_summary="Shipped in client 1.58.",
        signals=[
            gh(
                "Throughput capped at ~800 Mbit/s on subnet router",
                "One core at 100%, others idle. Kernel WireGuard does 2.5 Gbit/s on the same box.",
                votes=156,
                comments=44,
                closed=True,
            ),
            rd(
                "Subnet router slow on 10G link",
                "Getting 700 Mbit/s max, one core pegged.",
                votes=59,
                comments=23,
            ),
            sales(
                "Tyrell Labs",
                "Faster subnet routers",
                "Their lab moves big datasets through a subnet router and hits 800 Mbit/s.",
                arr=60000,
                urgency="important",
                stage="won",
            ),
        ],
    ),
    IdeaSpec(
        "console",
        "Admin console is slow with thousands of devices",
        "The device list opens instantly and stays responsive with 10,000 devices.",
        "performance",
        "Console",
        "Platform",
        "platform",
        "shipped",
        2,
        "UE",
        public_summary="Shipped: the device list opens instantly with 10,000 devices.",
        customer_summary="Shipped: the device list opens instantly with 10,000 devices.",
        signals=[
            zd(
                "Weyland Mining",
                "Ellen Ripley",
                "Machines page takes 30 seconds",
                "With 8,000 devices the Machines page takes half a minute to load.",
                solved=True,
            ),
            sales(
                "Massive Dynamic",
                "Console performance at scale",
                "Console unusable at their size (12k devices); they threatened to leave.",
                arr=250000,
                urgency="blocker",
                stage="won",
            ),
            emp("dana", "Machines page slow for big customers"),
        ],
    ),
    IdeaSpec(
        "battery",
        "Less battery drain on Android",
        "The Android app stops waking the phone when nothing is happening.",
        "performance",
        "Mobile",
        "Client",
        "client",
        "planned",
        2,
        "DT",
        signals=[
            gh(
                "Android app uses 15% battery overnight",
                "Battery stats show the app holding wakelocks all night with no traffic.",
                votes=189,
                comments=52,
            ),
            rd(
                "Battery drain on Pixel 8 is brutal",
                "Uninstalling it took my overnight drain from 12% to 3%.",
                votes=231,
                comments=77,
            ),
            rd(
                "Is always-on VPN worth the battery hit?",
                "Love the app but my phone dies by 5pm when it's on.",
                votes=64,
                comments=30,
            ),
            slack("noor", "battery drain on android is all over r/meshvpn again this week"),
        ],
    ),
    IdeaSpec(
        "aclspeed",
        "Faster ACL evaluation for large networks",
        "Policy changes apply in seconds, not minutes, on networks with thousands of rules.",
        "performance",
        "ACLs",
        "Platform",
        "platform",
        "planned",
        2,
        "UT",
        signals=[
            zd(
                "Cyberdyne Systems",
                "Miles Dyson",
                "ACL changes take minutes to apply",
                "After we save the policy it takes 3-4 minutes before devices see it.",
            ),
            emp(
                "lee",
                "ACL propagation is slow for big tailnets",
                "Cyberdyne and Wayne both timed it at minutes.",
            ),
        ],
    ),
    IdeaSpec(
        "hardnat",
        "More direct connections through hard NATs",
        "Two devices behind strict NATs connect directly more often instead of through a relay.",
        "performance",
        "NAT traversal",
        "Networking",
        "both",
        "under_review",
        3,
        "DC",
        signals=[
            gh(
                "Always relayed between two hosts behind carrier-grade NAT",
                "Both ends on CGNAT, never get a direct path, 40ms extra latency.",
                votes=143,
                comments=38,
            ),
            ghd(
                "Tips for getting direct connections behind pfSense?",
                "Static port mapping helped one site, not the other.",
                votes=51,
                comments=29,
            ),
            rd(
                "Why is my connection always relayed?",
                "Game streaming over it is laggy, netcheck says relayed.",
                votes=97,
                comments=41,
            ),
            emp(
                "noor",
                "Direct connections through CGNAT",
                "Most common question at every community call.",
            ),
        ],
    ),
    IdeaSpec(
        "sarelay",
        "Relays in South America",
        "A relay region in São Paulo, so relayed traffic in South America stays local.",
        "performance",
        "Relays",
        "Networking",
        "platform",
        "new",
        1,
        "U",
        signals=[
            rd(
                "Latency from Brazil is terrible when relayed",
                "Relayed through Miami, 180ms to a server in the next city.",
                votes=33,
                comments=11,
            ),
            zd(
                "Rekall Travel",
                "Douglas Quaid",
                "Slow in Brazil",
                "Our São Paulo office sees very slow connections.",
            ),
        ],
    ),
    # Features
    IdeaSpec(
        "exitcountry",
        "Pick an exit node by country",
        "Users choose an exit node by country from the client menu.",
        "feature",
        "Exit nodes",
        "Networking",
        "client",
        "shipped",
        2,
        "D",
        public_summary="Shipped in 1.60: pick an exit node by country from the client menu.",
        customer_summary="Shipped in client 1.60.",
        signals=[
            gh(
                "Group exit nodes by country in the menu",
                "With 40 exit nodes the flat list is unusable; group by country.",
                votes=88,
                comments=19,
                closed=True,
            ),
            rd(
                "Feature request: choose exit node by country",
                "Travel a lot, want 'exit in Germany' without knowing the node name.",
                votes=120,
                comments=34,
            ),
            emp("lee", "Exit node country picker"),
        ],
    ),
    IdeaSpec(
        "darkmode",
        "Dark mode for the admin console",
        "A dark theme for the console that follows the system setting.",
        "feature",
        "Console",
        "Growth",
        "platform",
        "planned",
        1,
        "DU",
        public_summary="Dark mode for the console is planned.",
        signals=[
            gh(
                "Dark mode for admin console",
                "Please. My eyes at 2am during incidents.",
                votes=402,
                comments=63,
            ),
            rd("Dark mode when?", "Every other dev tool has it.", votes=280, comments=45),
            emp(
                "tomas",
                "Dark mode",
                "Half of the engineering team uses a browser extension for it.",
            ),
        ],
    ),
    IdeaSpec(
        "eur",
        "Invoices in euros",
        "European customers are invoiced and charged in EUR.",
        "feature",
        "Billing",
        "Billing",
        "platform",
        "planned",
        1,
        "U",
        signals=[
            sales(
                "Zorg Manufacturing",
                "EUR invoicing",
                "Procurement can only pay EUR invoices; they pay a conversion fee today.",
                arr=80000,
                urgency="important",
                by="jordan",
            ),
            zd(
                "Sterling Cooper",
                "Joan Holloway",
                "Invoice currency",
                "Can our invoices be in euros? Our finance system rejects USD.",
            ),
        ],
    ),
    IdeaSpec(
        "terraform",
        "Manage ACL tests with the Terraform provider",
        "The Terraform provider manages ACL tests alongside the policy, so CI catches a "
        "policy that breaks access.",
        "feature",
        "Automation",
        "DevEx",
        "platform",
        "under_review",
        2,
        "DEU",
        signals=[
            gh(
                "terraform provider: support `tests` block in ACL resource",
                "We keep ACLs in Terraform but tests get dropped on apply.",
                votes=66,
                comments=13,
            ),
            ghd(
                "How do you test ACL changes in CI?",
                "Looking for a way to run policy tests before merge.",
                votes=24,
                comments=10,
            ),
            sales(
                "Stark Logistics",
                "ACL tests in Terraform",
                "Platform team manages everything in Terraform; missing ACL tests "
                "caused an outage.",
                arr=30000,
                urgency="nice_to_have",
            ),
        ],
    ),
    IdeaSpec(
        "share",
        "Share one device with someone outside the company",
        "Invite an outside person to one device (a build server, a NAS) without adding them "
        "to the network.",
        "feature",
        "Sharing",
        "Growth",
        "both",
        "under_review",
        2,
        "D",
        signals=[
            rd(
                "Share my Plex server with my brother without giving him my whole network?",
                "He only needs the one machine.",
                votes=156,
                comments=48,
            ),
            gh(
                "Share a single node with an external contractor",
                "Contractor needs one staging box for two weeks.",
                votes=38,
                comments=6,
            ),
            slack(
                "lee",
                "Initech wants to give their auditor access to one box only, "
                "can we share a single device across orgs yet?",
            ),
        ],
    ),
    IdeaSpec(
        "ghactions",
        "Join CI runners as ephemeral nodes from GitHub Actions",
        "A GitHub Action joins the runner to the network for one job and removes it after.",
        "feature",
        "CI",
        "DevEx",
        "platform",
        "new",
        2,
        "DU",
        signals=[
            gh(
                "Official GitHub Action",
                "Deploy jobs need to reach private hosts; want an "
                "action that joins as an ephemeral node.",
                votes=91,
                comments=17,
            ),
            ghd(
                "Ephemeral nodes piling up from CI",
                "Our CI leaves hundreds of stale nodes.",
                votes=28,
                comments=9,
            ),
        ],
    ),
    IdeaSpec(
        "splitdns",
        "Split DNS per user group",
        "Different groups resolve internal domains through different nameservers.",
        "feature",
        "DNS",
        "Networking",
        "both",
        "new",
        2,
        "EC",
        signals=[
            sales(
                "Blue Sun Shipping",
                "DNS per department",
                "Engineering and finance use different internal DNS; they need split "
                "DNS per group.",
                arr=40000,
                urgency="important",
            ),
            gh(
                "Split DNS rules scoped to groups",
                "corp.example should only resolve via 10.0.0.2 for the `eng` group.",
                votes=31,
                comments=7,
            ),
        ],
    ),
    IdeaSpec(
        "idptags",
        "Assign device tags from identity provider groups",
        "Devices get tags from their owner's IdP groups, so ACLs follow the org chart.",
        "feature",
        "ACLs",
        "Enterprise",
        "platform",
        "under_review",
        2,
        "EU",
        signals=[
            sales(
                "Oscorp Research",
                "Tags from Okta groups",
                "They want device access driven by Okta groups, not tags by hand.",
                arr=70000,
                urgency="important",
                by="jordan",
            ),
            zd(
                "Aperture Science",
                "Cave Johnson",
                "Use Azure AD groups in ACLs",
                "Can ACLs reference Azure AD groups directly?",
            ),
        ],
    ),
    IdeaSpec(
        "whyrelay",
        "CLI command that explains why a connection is relayed",
        "One command tells the user why two devices could not connect directly and what to change.",
        "feature",
        "CLI",
        "DevEx",
        "client",
        "new",
        1,
        "DT",
        signals=[
            gh(
                "`why-relayed` diagnostic",
                "netcheck output is hard to read; tell me which NAT type is the problem.",
                votes=47,
                comments=9,
            ),
            emp("dana", "Self-serve relay diagnosis", "Would cut our NAT tickets in half."),
        ],
    ),
    IdeaSpec(
        "serve",
        "Share a local web app with the network in one command",
        "One command serves a local port to the network over HTTPS with a valid certificate.",
        "feature",
        "Sharing",
        "DevEx",
        "client",
        "new",
        2,
        "D",
        signals=[
            gh(
                "Command to expose localhost:3000 to my tailnet with HTTPS",
                "Like ngrok but private.",
                votes=73,
                comments=14,
            ),
            rd(
                "Easiest way to share a dev server with a teammate?",
                "Without opening ports.",
                votes=45,
                comments=19,
            ),
        ],
    ),
    IdeaSpec(
        "bulkapprove",
        "Approve many devices at once in the console",
        "Select and approve devices in bulk when device approval is on.",
        "feature",
        "Console",
        "Enterprise",
        "platform",
        "new",
        1,
        "EU",
        signals=[
            zd(
                "Weyland Mining",
                "Ellen Ripley",
                "Approving 300 devices one by one",
                "We enabled device approval and now click 300 times. Bulk approve?",
            ),
        ],
    ),
    IdeaSpec(
        "splittunnel",
        "Per-app split tunnelling on macOS",
        "Choose which apps go through the VPN on macOS.",
        "feature",
        "Routing",
        "Client",
        "client",
        "under_review",
        2,
        "C",
        signals=[
            gh(
                "App-based split tunnelling on macOS",
                "Only route Slack and the browser through the exit node.",
                votes=84,
                comments=26,
            ),
            rd(
                "Can I exclude Zoom from the exit node?",
                "Video calls through the exit node are choppy.",
                votes=52,
                comments=17,
            ),
        ],
    ),
    IdeaSpec(
        "onboarding",
        "Checklist that walks new teams through their first network",
        "New teams see a short checklist (install, invite, first ACL) in the console.",
        "feature",
        "Onboarding",
        "Growth",
        "platform",
        "new",
        1,
        "DU",
        signals=[
            emp("noor", "Onboarding checklist", "Trials stall after the first device."),
            slack(
                "noor",
                "growth data: 40% of new teams never add a second device. an "
                "onboarding checklist would help",
            ),
        ],
    ),
    IdeaSpec(
        "helm",
        "Helm chart for the subnet router",
        "An official Helm chart runs a subnet router in a cluster.",
        "feature",
        "Operator",
        "Kubernetes",
        "platform",
        "new",
        1,
        "D",
        signals=[
            gh(
                "Official Helm chart for subnet router",
                "Community charts are outdated.",
                votes=36,
                comments=8,
            ),
        ],
    ),
    IdeaSpec(
        "usage",
        "Usage dashboard before the invoice arrives",
        "Admins see seats and usage for the current month before being billed.",
        "feature",
        "Billing",
        "Billing",
        "platform",
        "new",
        1,
        "U",
        signals=[
            zd(
                "Dunder Paper",
                "Michael Scott",
                "Surprise invoice",
                "Our invoice doubled and we didn't know why. Where can we see usage?",
            ),
            api(
                "Initech",
                "Call: billing surprises",
                "Finance asked for a usage view; the last invoice surprised them.",
            ),
        ],
    ),
    IdeaSpec(
        "freeplan",
        "Raise the free plan to 10 users",
        "Let hobby and small teams use the free plan with up to 10 users.",
        "feature",
        "Plans",
        "Growth",
        "platform",
        "declined",
        1,
        "D",
        decline_reason="The free plan stays at 3 users for now: it covers personal use, and "
        "the Starter plan is priced for small teams. We will revisit it with the pricing "
        "review.",
        revisit_when="Next pricing review",
        signals=[
            rd(
                "3 users on free is too low for a family",
                "Me, partner, two kids.",
                votes=310,
                comments=140,
            ),
            gh(
                "Free tier user limit",
                "Our student club has 8 people.",
                votes=55,
                comments=21,
                closed=True,
            ),
        ],
    ),
    IdeaSpec(
        "win7",
        "Client for Windows 7",
        "A client build for Windows 7 machines.",
        "feature",
        "Client",
        "Client",
        "client",
        "declined",
        1,
        "",
        decline_reason="Windows 7 gets no security updates, so we cannot ship a client we "
        "would trust on it. Put those machines behind a subnet router instead.",
        signals=[
            zd(
                "Krusty Kitchens",
                "Herschel Krustofsky",
                "Old PCs in kitchens",
                "Our point-of-sale PCs run Windows 7. Can they connect?",
            ),
        ],
    ),
    IdeaSpec(
        "msp",
        "One console for MSPs to manage many customer networks",
        "A managed service provider switches between its customers' networks from one login.",
        "feature",
        "Console",
        "Enterprise",
        "platform",
        "new",
        2,
        "E",
        signals=[
            sales(
                "Vandelay Imports",
                "Partner console",
                "Their MSP manages 20 client networks and logs in to each separately.",
                arr=20000,
                urgency="nice_to_have",
                by="jordan",
            ),
            rd(
                "MSP here: managing 15 client tailnets is painful",
                "Separate logins for each, no overview.",
                votes=29,
                comments=12,
            ),
        ],
    ),
    # Duplicates, worded as people do; merged into the idea they repeat.
    IdeaSpec(
        "scim-dup",
        "Okta user sync",
        "Keep users in sync with Okta automatically.",
        "security",
        "Identity",
        "Identity",
        "platform",
        merge_into="scim",
        signals=[
            sales(
                "Acme Robotics",
                "Okta user sync",
                "Acme's IT lead asked again for Okta sync; they offboard 20 people a month.",
                arr=120000,
                urgency="important",
            ),
            slack(
                "dana",
                "customer asking if okta can auto-remove users when they leave, "
                "do we have anything?",
            ),
        ],
    ),
    IdeaSpec(
        "sleep-dup",
        "VPN doesn't come back after MacBook sleeps",
        "After closing the lid the VPN does not reconnect.",
        "reliability",
        "Connectivity",
        "Client",
        "client",
        merge_into="sleep",
        signals=[
            rd(
                "VPN doesn't come back after MacBook sleeps",
                "Have to quit the app and reopen it. Sonoma 14.4.",
                votes=76,
                comments=29,
            ),
            zd(
                "Pied Piper",
                "Richard Hendricks",
                "Mac loses connection after sleep",
                "Every time I open my MacBook the VPN is dead.",
            ),
        ],
    ),
    IdeaSpec(
        "dark-dup",
        "Night theme for the web dashboard",
        "A darker colour scheme for the dashboard.",
        "feature",
        "Console",
        "Growth",
        "platform",
        merge_into="darkmode",
        signals=[
            ghd(
                "Night theme for the web dashboard",
                "Or at least respect prefers-color-scheme.",
                votes=44,
                comments=7,
            ),
        ],
    ),
    IdeaSpec(
        "audit-dup",
        "Send audit events to Splunk",
        "Forward audit events to Splunk.",
        "security",
        "Audit",
        "Enterprise",
        "platform",
        merge_into="audit",
        signals=[
            zd(
                "Hooli Cloud",
                "Gavin Belson",
                "Splunk integration for audit events",
                "Our SOC needs your audit events in Splunk. Is there an integration?",
            ),
        ],
    ),
    IdeaSpec(
        "exit-dup",
        "Choose which country my traffic exits from",
        "Pick the exit location by country.",
        "feature",
        "Exit nodes",
        "Networking",
        "client",
        merge_into="exitcountry",
        signals=[
            slack(
                "jordan",
                "prospect asked if users can pick the exit country themselves, like consumer VPNs",
            ),
        ],
    ),
]

# New input nobody has triaged yet: the inbox, with the duplicate engine's suggestions.
INBOX = [
    zd(
        "Globex",
        "Hank Scorpio",
        "Deprovision users automatically from Entra",
        "When we disable someone in Entra ID they should lose access immediately.",
    ),
    rd(
        "Reconnect after sleep still slow on 1.62?",
        "Better but still 30s on my Intel Mac.",
        votes=12,
        comments=4,
    ),
    gh("Dark theme for the console please", "", votes=9),
    zd(
        "Stark Logistics",
        "Happy Hogan",
        "Exit node in Japan",
        "Can we pick an exit node in Japan for our Tokyo trip?",
    ),
    sales(
        "Soylent Foods",
        "SAML with Google Workspace",
        "They use Google Workspace SAML for everything; asked when SSO lands.",
        arr=25000,
        urgency="important",
        by="mia",
    ),
    gh("Battery drain on Samsung S23", "Similar to the Pixel reports.", votes=14, comments=3),
    rd(
        "Native build for ARM laptops?",
        "Surface Pro X user here, x64 emulation is slow.",
        votes=27,
        comments=9,
    ),
    gh(
        "Expose Prometheus metrics from the client",
        "For monitoring subnet routers.",
        votes=33,
        comments=6,
    ),
    slack("tomas", "would be great if the linux client could run without root for dev machines"),
    zd(
        "Bluth Homes",
        "George Bluth",
        "Hide the device list from non-admins",
        "Our members can see every device name, including the CEO's laptop.",
    ),
    emp("dana", "Canned responses for common NAT problems in the docs"),
    rd(
        "Any plans for a Synology package update?",
        "The package is two versions behind.",
        votes=21,
        comments=5,
    ),
    gh(
        "Audit log: include the ACL diff",
        "The event says 'policy changed' but not what.",
        votes=18,
        comments=2,
    ),
    api(
        "Tyrell Labs",
        "Call: device posture with Kandji",
        "Asked whether posture checks will read Kandji compliance.",
    ),
    zd(
        "Wonka Industries", "Charlie Bucket", "Invoice in EUR", "Please send our invoices in euros."
    ),
]
