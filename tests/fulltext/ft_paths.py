"""Where the shared full-text test material sits (beside the repository)."""

from pathlib import Path

FULLTEXT = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"
