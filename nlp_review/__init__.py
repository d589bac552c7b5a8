"""nlp_review: find and understand the evidence on how, why and for whom
social-support interventions improve children's and young people's mental health."""

from pathlib import Path

__version__ = "0.1.0"

#: The repository's data folders (pattern files, presets, demo corpus). When the package is
#: installed from a checkout (the supported way, see README) these sit beside the package.
REPO_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO_ROOT / "models"
CORPORA_DIR = REPO_ROOT / "corpora"
