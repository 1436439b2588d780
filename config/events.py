"""The one registry of domain events: each event a service records, and who handles it.

A reader finds every effect of a change in two places: the service that records the event and
this list. Handlers are plain functions `handler(payload: dict) -> None`, idempotent (a row may
run twice), named by dotted path so that `intake`, the ground floor, never imports the apps
above it. An event with no handler is still listed, so recording an unknown name fails loudly.
"""

RESCORE = "scoring.handlers.rescore_ideas"
INDEX = "intake.handlers.index_idea"
DEMAND = "intake.handlers.count_demand"
PHRASINGS = "intake.handlers.index_phrasings"
WEBHOOKS = "roadmap.handlers.send_webhooks"

HANDLERS: dict[str, list[str]] = {
    # intake: ideas and signals. Payloads name ids; `idea_ids` are the ideas whose demand moved.
    # A new idea always arrives with its first signals: `signal.attached` scores it.
    "idea.created": [INDEX, WEBHOOKS],
    "idea.edited": [INDEX, RESCORE],
    "idea.status_changed": [
        "roadmap.handlers.notify_requesters",
        "roadmap.handlers.comment_back",
        "roadmap.handlers.reply_on_reddit",
        "slackbot.handlers.tell_idea_status_in_slack",
        WEBHOOKS,
    ],
    "idea.merged": [DEMAND, RESCORE, PHRASINGS],
    "idea.unmerged": [DEMAND, RESCORE, PHRASINGS],
    "signal.attached": [DEMAND, RESCORE, PHRASINGS],
    "signal.updated": [DEMAND, RESCORE, PHRASINGS],
    # connectors: new signals from a source wait for duplicate matching.
    # (Signals an upstream retitled, or that arrived attached through a linked URL, are new
    # phrasings of their ideas.)
    "signal.arrived": ["intake.handlers.match_arrived_signals", DEMAND, RESCORE, PHRASINGS],
    # a connector marked public or private: the public roadmap's vote links follow {connector_id}
    "connector.visibility_changed": ["roadmap.handlers.refresh_public_pages"],
    # scoring: a new policy version or a changed bridge criterion reweighs the whole backlog.
    "scoring.policy_changed": ["scoring.handlers.reweigh_all"],
    # crm: a sync changed organizations' plan or ARR: the ideas they asked for are rescored.
    "organization.crm_synced": [RESCORE],
    # roadmap
    "item.stage_changed": [WEBHOOKS, "rollout.handlers.on_item_stage_changed"],
    "item.shipped": [
        WEBHOOKS,
        "roadmap.handlers.tell_followers_shipped",
        "crm.handlers.tell_account_owners",
    ],
    # someone asked to follow an item by e-mail {follower_id}: the one confirmation e-mail.
    "item.follow_requested": ["roadmap.handlers.send_follow_confirmation"],
    # an item's horizon became Now {item_id}: its e-mail followers hear it once.
    "item.moved_to_now": ["roadmap.handlers.tell_followers_now"],
    # delivery: the release carrying client work set its minimum client version.
    "item.client_version_set": ["rollout.handlers.on_item_client_version_set"],
    "webhook.delivery_due": ["roadmap.handlers.deliver_webhook"],
    # rollout: a killed flag's owners are told; internal webhooks hear it.
    "flag.killed": [
        "rollout.handlers.tell_owners_flag_killed",
        "rollout.handlers.send_flag_killed_webhooks",
    ],
}


# Long work a person waits for: while rows of these events are pending, every admin page says
# so (under way), and for a while after, that it is done (None: connectors sync all day long,
# and "done" after each would only be noise; their runs are on the connector's page).
UNDER_WAY: dict[str, tuple[str, str | None]] = {
    "scoring.policy_changed": (
        "every idea is being rescored under the new weights",
        "every idea was rescored under the new weights",
    ),
    "signal.arrived": ("signals that arrived from a source are being matched to ideas", None),
}
