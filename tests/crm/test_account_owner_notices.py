"""When an item ships, each account owner whose customers asked for it is told once, with the
customers' names: by Slack where Slack knows their address, else by e-mail."""

from django.core import mail

from crm import notices
from crm.models import AccountOwnerNotice
from roadmap import services as roadmap_services
from roadmap.models import RoadmapItem
from tests.factories import IdeaFactory, OrganizationFactory, SalesSignalFactory, SignalFactory
from tests.roadmap.factories import RoadmapItemFactory
from tests.slackbot import fake_slack


def _owned(name: str, owner: str, email: str):
    return OrganizationFactory(name=name, account_owner_name=owner, account_owner_email=email)


def _shipped_item_asked_for_by(*organizations, django_capture_on_commit_callbacks):
    idea = IdeaFactory()
    for org in organizations:
        SalesSignalFactory(idea=idea, organization=org)
    item = RoadmapItemFactory(title="SCIM provisioning")
    item.ideas.set([idea])
    with django_capture_on_commit_callbacks(execute=True):
        previous = item.stage
        item.stage = RoadmapItem.Stage.SHIPPED
        roadmap_services.stamp_item(item).save()
        roadmap_services.item_changed(item=item, previous_stage=previous)
    return item


def test_each_account_owner_hears_once_naming_their_customers(
    db, django_capture_on_commit_callbacks
):
    dana = "dana@acme-vpn.example"
    item = _shipped_item_asked_for_by(
        _owned("Globex", "Dana Scully", dana),
        _owned("Initech", "Dana Scully", dana),
        _owned("Umbrella", "Fox Mulder", "fox@acme-vpn.example"),
        OrganizationFactory(name="Nobody's"),
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )

    by_owner = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_owner) == [dana, "fox@acme-vpn.example"]
    assert "Globex, Initech" in by_owner[dana].body
    assert "Umbrella" not in by_owner[dana].body
    assert "SCIM provisioning" in by_owner[dana].subject

    assert notices.tell_account_owners(item_id=item.pk) == 0
    assert len(mail.outbox) == 2


def test_an_owner_slack_knows_gets_a_direct_message_instead(
    db, settings, django_capture_on_commit_callbacks
):
    slack = fake_slack.FakeSlack().start()
    try:
        settings.SLACK_BOT_TOKEN = fake_slack.BOT_TOKEN
        settings.SLACK_API_URL = slack.url
        slack.add_user("U0DANA", "Dana@acme-vpn.example", "Dana Scully")
        _shipped_item_asked_for_by(
            _owned("Globex", "Dana Scully", "dana@acme-vpn.example"),
            _owned("Umbrella", "Fox Mulder", "fox@acme-vpn.example"),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        messages = slack.called("chat.postMessage")
    finally:
        slack.stop()

    assert [m["channel"] for m in messages] == ["U0DANA"]
    assert "Globex" in messages[0]["text"]
    assert [m.to for m in mail.outbox] == [["fox@acme-vpn.example"]]
    assert AccountOwnerNotice.objects.get(owner_email="dana@acme-vpn.example").channel == "slack"


def test_a_notice_released_after_a_failure_is_sent_on_the_retry_once(
    db, settings, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    SignalFactory(idea=idea, organization=_owned("Globex", "Dana", "dana@acme-vpn.example"))
    item = RoadmapItemFactory(stage=RoadmapItem.Stage.SHIPPED)
    item.ideas.set([idea])
    roadmap_services.stamp_item(item).save()
    AccountOwnerNotice.objects.create(
        item=item, owner_email="dana@acme-vpn.example", customers="Globex", error="timeout"
    )

    assert notices.tell_account_owners(item_id=item.pk) == 1
    assert notices.tell_account_owners(item_id=item.pk) == 0
    assert len(mail.outbox) == 1
