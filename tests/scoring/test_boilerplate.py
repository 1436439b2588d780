"""Learning what a source repeats in every item, and cleaning it out of a text."""

from intake.duplicates.boilerplate import Boilerplate, clean, learn

TEMPLATE = """### ⚠️ Please verify that this feature request has NOT been suggested before.
- [X] I checked and didn't find similar feature request

### 🔖 Feature description
{request}

### ✔️ Solution
{solution}

<!-- Please describe what you expected instead. -->
If you'd like to see this feature implemented, add a 👍 reaction to this post.
"""

REQUESTS = [
    ("[Feature] Dark mode", "The UI is too bright at night.", "Add a dark theme."),
    ("[Feature] SNMP monitor", "I monitor switches over SNMP.", "Poll an OID."),
    ("[Feature] Maintenance notifications", "Nobody knows when maintenance starts.", "Notify."),
    ("Group monitors in folders", "Hundreds of monitors are hard to scan.", "Add folders."),
    ("[Feature] Badge colours", "Badges are always green.", "Let me pick a colour."),
    ("[Feature] Export to CSV", "Reports go to finance.", "A CSV button."),
    ("Webhook retries", "Our webhook endpoint is sometimes down.", "Retry three times."),
    ("[Feature] Telegram topics", "We use topics in our group.", "Send to a topic id."),
]


def _items():
    return [(t, TEMPLATE.format(request=r, solution=s)) for t, r, s in REQUESTS]


def test_template_lines_and_bot_footer_are_removed_and_the_request_stays():
    learned = learn(_items())
    title, body = clean(*_items()[1], learned)
    assert "I monitor switches over SNMP." in body
    assert "Poll an OID." in body
    for template in ("Feature description", "I checked and didn't find", "add a 👍", "Solution"):
        assert template not in body


def test_a_recurring_title_prefix_is_removed_and_a_rare_one_kept():
    learned = learn(_items())
    assert clean("[Feature] SNMP monitor", "", learned)[0] == "SNMP monitor"
    assert clean("Docker: restart policy", "", learned)[0] == "Docker: restart policy"


def test_html_comments_never_count_as_request_text():
    _, body = clean("x", "Faster sync.\n<!-- Describe the problem here -->", Boilerplate())
    assert body == "Faster sync."


def test_a_line_a_few_people_share_is_not_mistaken_for_template():
    items = _items() * 10  # 80 items: a line must recur in 5% of them to count as template
    shared = "Error: EADDRINUSE 0.0.0.0:3001"
    items += [("Crash on start", shared), ("Port in use", shared), ("Cannot bind", shared)]
    learned = learn(items)
    assert "EADDRINUSE" in clean("Port in use", shared, learned)[1]
    assert "Feature description" not in clean(*items[0], learned)[1]


def test_too_few_items_teach_nothing():
    assert learn(_items()[:3]) == Boilerplate()


def test_a_title_that_is_only_a_prefix_stays_as_it_is():
    learned = learn(_items())
    assert clean("[Feature]", "", learned)[0] == "[Feature]"
