import json

from django.core.management.base import BaseCommand, CommandError

from planning import selectors


class Command(BaseCommand):
    help = "Planning health of a quarter: load per PM, docs, stages, coupling and flags."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quarter", default="", help="Default: the quarter of the plan imported last."
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument("--max-items", type=int, help="Flag PMs with more items than this.")
        parser.add_argument(
            "--min-doc-completion",
            type=float,
            help="Flag PMs with a smaller share (0 to 1) of the required docs.",
        )

    def handle(self, *args, **options):
        known = selectors.quarters()
        quarter = options["quarter"] or selectors.default_quarter(known)
        if not quarter:
            raise CommandError("No roadmap item has a quarter yet: import a plan first.")
        if selectors.normalize_quarter(quarter) not in known:
            raise CommandError(
                f'No roadmap items in "{quarter}". Quarters: {", ".join(known) or "none"}.'
            )
        defaults = selectors.Thresholds.from_settings()
        min_docs = options["min_doc_completion"]
        if min_docs is not None and not 0 <= min_docs <= 1:
            raise CommandError("--min-doc-completion is a fraction from 0 to 1, e.g. 0.5.")
        thresholds = selectors.Thresholds(
            max_items_per_pm=options["max_items"]
            if options["max_items"] is not None
            else defaults.max_items_per_pm,
            min_doc_completion=min_docs if min_docs is not None else defaults.min_doc_completion,
        )
        health = selectors.planning_health(quarter=quarter, thresholds=thresholds)
        if options["json"]:
            self.stdout.write(json.dumps(health, indent=2, ensure_ascii=False))
            return
        self.stdout.write(self._text(health))

    def _text(self, health: dict) -> str:
        lines = [f"Planning health, {health['quarter']}: {health['items']} items", "", "PMs:"]
        for pm in health["pms"]:
            lines.append(
                f"  {pm['pm']}: {pm['items']} items, {pm['committed']} committed, "
                f"{pm['doc_completion']:.0%} of required docs, "
                f"{pm['items_without_docs']} without any doc"
            )
        lines += ["", "Teams:"]
        for team in health["teams"]:
            lines.append(
                f"  {team['team']}: {team['items']} items, "
                f"{team['cross_team_items']} touching other teams"
            )
        lines += ["", "Stages:"]
        for stage, count in health["stages"].items():
            lines.append(f"  {stage}: {count} ({health['stage_shares'][stage]:.0%})")
        coupling = health["coupling"]
        lines += ["", f"Average teams per item: {coupling['avg_teams_per_item']}"]
        lines += ["", "Flags:" if health["flags"] else "Flags: none"]
        lines += [f"  {flag['message']}" for flag in health["flags"]]
        return "\n".join(lines)
