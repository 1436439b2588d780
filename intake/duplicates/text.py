"""Words as the lexical engine and the customer portal compare them: lower-cased, stop words
dropped, multi-word phrases joined ("sign in" → login), a product vocabulary folded to one word
per thing (panel ~ console), and a light stem."""

import re

MAX_TERM_LENGTH = 40

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can cannot could did do does doing down during each even ever every
    few for from further get gets getting had has have having he her here hers him his how i if
    in into is it its itself just let lets like make makes me more most much must my need needs
    no nor not now of off on once only or other our ours out over own please same she should so
    some such than that the their them then there these they this those through to too under
    until up us very via want wants was we were what when where which while who whom why will
    with without would you your yours able ability add adding allow allows allowing option
    options support supports supported supporting feature request requests new way ways really
    possible currently something thing things someone anyone everyone would love great nice
    """.split()
)

# Multi-word phrases first, so that "sign in" and "log-in" become one term before splitting.
PHRASES = [
    (r"\bsingle[\s-]*sign[\s-]*on\b|\bsign[\s-]*on\b", " sso "),
    (r"\b(?:sign|log)[\s-]*(?:in|on)\b|\blogon\b|\bsignin\b", " login "),
    (r"\b(?:two|2|multi)[\s-]*(?:factor|step)(?:[\s-]*auth\w*)?\b|\b2fa\b|\bmfa\b", " mfa "),
    (r"\b(?:dark|night)[\s-]*(?:mode|theme|skin)\b", " darktheme "),
    (r"\b(?:light|day)[\s-]*(?:mode|theme)\b", " lighttheme "),
    (r"\bwi[\s-]*fi\b", " wifi "),
    (r"\bsplit[\s-]*tunnel\w*\b", " splittunnel "),
    (r"\bexit[\s-]*nodes?\b", " exitnode "),
    (r"\baccess[\s-]*control[\s-]*lists?\b|\bacls?\b", " acl "),
    (r"\baudit[\s-]*(?:logs?|trails?|events?)\b", " auditlog "),
    (r"\b(?:hardware|security|physical)[\s-]*keys?\b|\byubikeys?\b|\bwebauthn\b|\bfido2?\b"
     r"|\bpasskeys?\b", " webauthn "),
    (r"\bsubnet[\s-]*routers?\b", " subnetrouter "),
    (r"\bmobile[\s-]*data\b|\b[45]g\b|\blte\b|\bcellular\b", " cellular "),
    (r"\bsleep\w*\b|\bsuspend\w*\b|\bhibernat\w*\b|\bwak(?:e|es|ing)\b", " sleep "),
    (r"\bcommand[\s-]*line\b|\bterminal\b", " cli "),
    (r"\bweb[\s-]*hooks?\b", " webhook "),
    (r"\bk8s\b|\bkube\b", " kubernetes "),
    (r"\bos[\s-]*x\b|\bmac\b|\bmacbooks?\b", " macos "),
    (r"\biphones?\b|\bipads?\b", " ios "),
    (r"\b(?:ubuntu|debian|fedora)\b", " linux "),
    (r"\bzero[\s-]*downtime\b|\bwithout[\s-]*(?:dropping|losing|breaking)\b", " nodrop "),
]  # fmt: skip
PHRASE_PATTERNS = [(re.compile(pattern), repl) for pattern, repl in PHRASES]

# One canonical word per group of words people use for the same thing in this product.
SYNONYMS = {
    canonical: group.split()
    for canonical, group in {
        "console": "console panel dashboard portal ui interface gui webui website page",
        "darktheme": "darktheme",
        "device": "device machine node host computer laptop endpoint server peer",
        "user": "user member people person account teammate employee staff",
        "group": "group team department",
        "slow": "slow sluggish laggy lag latency speed fast faster quick quicker perform "
        "performance slowness snappy",
        "crash": "crash freeze hang stuck",
        "billing": "billing bill invoice invoicing payment pay price pricing charge",
        "rotate": "rotate rotation renew renewal expire expiry expiration regenerate",
        "export": "export stream forward ship send push",
        "siem": "siem splunk datadog sumo elastic",
        "provision": "provision provisioning scim deprovision sync",
        "idp": "idp okta entra azuread onelogin",
        "reconnect": "reconnect reconnection reconnecting resume drop disconnect",
        "failover": "failover fallback redundancy redundant outage down",
        "relay": "relay derp",
        "handover": "handover handoff roam roaming switch",
        "approve": "approve approval approver grant",
        "connect": "connect connection connectivity link tunnel",
        "login": "login authentication authenticate auth",
        "battery": "battery power drain",
        "log": "log logs logging",
        "setting": "setting settings preference config configuration configure",
        "share": "share sharing invite invitation external guest",
        "limit": "limit cap quota maximum max",
        "docs": "docs documentation guide tutorial",
        "notify": "notify notification alert email",
        "delete": "delete remove removal",
        "mobile": "mobile phone",
        "windows": "windows win",
        "macos": "macos",
        "tag": "tag label",
        "domain": "domain hostname",
        "policy": "policy rule",
        "upgrade": "upgrade update",
        "cost": "cost expensive cheap",
        "multithread": "multithread multithreaded multicore parallel thread",
        "encrypt": "encrypt encryption crypto",
    }.items()
}
CANONICAL = {word: canonical for canonical, words in SYNONYMS.items() for word in words}
TOKEN = re.compile(r"[a-z0-9]+")
SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _stem(word: str) -> str:
    """A light suffix strip: "themes", "themed" and "theming" all become "them"."""
    if word.isdigit() or len(word) <= 4:
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if suffix == "ies":
                word += "y"
            break
    return word


# Canonical words are looked up before stemming and after, so "dashboards" finds "console".
STEMMED_CANONICAL = {_stem(word): canonical for word, canonical in CANONICAL.items()}


def terms(text: str) -> list[str]:
    """The normalised terms of a text, in order (with repeats)."""
    text = (text or "").lower()
    for pattern, repl in PHRASE_PATTERNS:
        text = pattern.sub(repl, text)
    out = []
    for word in TOKEN.findall(text):
        if word in STOPWORDS or len(word) > MAX_TERM_LENGTH:
            continue
        canonical = CANONICAL.get(word)
        if canonical is None:
            stem = _stem(word)
            canonical = STEMMED_CANONICAL.get(stem, stem)
        if len(canonical) > 1 or canonical.isdigit():
            out.append(canonical)
    return out
