"""Hostile text shown in a real browser (Debian's chromium through Playwright): nothing runs,
no script, event handler or javascript: link reaches the page, and the pages break no rule of
their own Content-Security-Policy."""

import pytest

from tests.browser.test_journeys import _log_in, browser  # noqa: F401 - the browser fixture
from tests.factories import IdeaFactory, SignalFactory, UserFactory
from tests.roadmap.factories import CustomerAccountFactory, PublicItemFactory
from tests.security.hostile import OURS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INJECTED = """() => ({
  xss: window.__xss,
  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
      .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
  links: [...document.querySelectorAll('a[href], iframe[src]')]
      .map(e => e.getAttribute('href') || e.getAttribute('src'))
      .filter(h => /^\\s*(javascript|data|vbscript):/i.test(h)),
})"""


@pytest.fixture
def hostile_world(settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS)
    employee = UserFactory(username="emma", email="emma@example.com", groups=["Employee"])
    UserFactory(username="root", is_staff=True, is_superuser=True)
    account = CustomerAccountFactory(user=UserFactory(username="carla"))
    text = "\n\n".join(OURS).replace("\x00", "")  # the database refuses NUL (forms refuse it)
    idea = IdeaFactory(title=OURS[0], description=text)
    SignalFactory(idea=idea, source="employee", author_email=employee.email, title=OURS[1],
                  body=text, organization=account.organization)  # fmt: skip
    item = PublicItemFactory(public_title=OURS[2], public_description=text, customer_title=OURS[3],
                             customer_description=text, changelog=text)  # fmt: skip
    item.ideas.add(idea)
    return {"emma": ["/my/", "/roadmap/internal/"], "carla": ["/roadmap/customer/"],
            "root": [f"/admin/intake/idea/{idea.pk}/change/", "/admin/intake/signal/"],
            None: ["/roadmap/"]}  # fmt: skip


def test_nothing_hostile_runs_in_a_real_browser(browser, live_server, hostile_world):  # noqa: F811
    seen = []
    for username, paths in hostile_world.items():
        context = browser.new_context()
        page = context.new_page()
        dialogs, violations = [], []
        page.on("dialog", lambda dialog, found=dialogs: (found.append(dialog), dialog.dismiss()))
        page.on("console", lambda message, found=violations: found.append(message.text)
                if "Content Security Policy" in message.text else None)  # fmt: skip
        if username:
            _log_in(page, live_server.url, username)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            found = page.evaluate(INJECTED)
            assert found == {"xss": None, "handlers": [], "links": []}, path
            seen.append(path)
        assert dialogs == []
        # The admin's own change-list <style> is the one known inline style (README, Headers).
        assert [v for v in violations if "style-src" not in v] == [], violations
        context.close()
    print(f"hostile rendering: {len(OURS)} payloads on {len(seen)} pages in chromium")
