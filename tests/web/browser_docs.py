"""Copy the browser tests' screenshots (tests/artifacts/screenshots/web-*.png) to docs/web/ for docs/web.md, made
small: a palette of 256 colours, the API page cut to its first 2000 pixels. Run after tests/web/test_browser.py:

    python tests/web/browser_docs.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE, TARGET = ROOT / "tests" / "artifacts" / "screenshots", ROOT / "docs" / "web"
PAGES = ("solve", "solve-error", "check", "check-reveal", "grade", "summary", "publish", "api")
TALLEST = 2000


def main() -> int:
    from PIL import Image          # matplotlib's own dependency

    missing = [name for name in PAGES if not (SOURCE / f"web-{name}.png").exists()]
    if missing:
        print(f"no screenshot of {', '.join(missing)}: run pytest tests/web/test_browser.py first", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in PAGES:
        image = Image.open(SOURCE / f"web-{name}.png").convert("RGB")
        if name == "api" and image.height > TALLEST:
            image = image.crop((0, 0, image.width, TALLEST))
        target = TARGET / f"{name}.png"
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(target, optimize=True)
        print(f"{target.relative_to(ROOT)}  {image.width}×{image.height}  {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
