import json
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intake import duplicates


class Command(BaseCommand):
    help = (
        "Show the ideas most similar to a text (the duplicate engine the forms use); "
        "--rebuild-index rebuilds the engine's index of every idea first."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help="What to look for, e.g. a title.")
        parser.add_argument("--limit", type=int, default=5, help="How many matches (1-100).")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument(
            "--rebuild-index",
            action="store_true",
            help="Rebuild the index of every idea (after an upgrade or a bulk import).",
        )

    def _rebuild(self, stream) -> int:
        """The rebuild, with a progress bar while embeddings are computed (the long part)."""
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="idea", desc="Embedding ideas", file=stream)
            bar.update(done - bar.n)

        try:
            return duplicates.rebuild_index(progress=progress)
        finally:
            if bar is not None:
                bar.close()

    def handle(self, *args, text, limit, rebuild_index: bool = False, **options):
        if not 1 <= limit <= 100:
            raise CommandError("--limit must be between 1 and 100.")
        if rebuild_index:
            self.stderr.write(f"Duplicate engine: {duplicates.engine_name()}.")
            count = self._rebuild(options.get("stderr") or sys.stderr)
            self.stderr.write(f"Indexed {count} ideas.")
        if text is None:
            if rebuild_index:
                return
            raise CommandError('Give a text to look for, e.g. similar_ideas "dark mode".')
        matches = duplicates.find_similar(text, limit=limit)
        rows = [
            {"id": m.idea.pk, "title": m.idea.title, "similarity": m.similarity} for m in matches
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write("No similar ideas.")
        for row in rows:
            self.stdout.write(f"{row['similarity']:.2f}  #{row['id']}  {row['title']}")
