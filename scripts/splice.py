"""Splices Markdown tables into README.md: OUT/NAME.md goes between <!-- generated:NAME --> and <!-- end:NAME -->.

Usage: python3 scripts/splice.py OUT NAME [NAME ...]
"""
import pathlib
import re
import sys

out = pathlib.Path(sys.argv[1])
readme = pathlib.Path("README.md")
text = readme.read_text()
for name in sys.argv[2:]:
    block = (out / f"{name}.md").read_text().strip()
    pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- end:{name} -->)", re.S)
    if not pattern.search(text):
        sys.exit(f"README.md has no <!-- generated:{name} --> block")
    text = pattern.sub(lambda m: m.group(1) + block + "\n" + m.group(2), text)
readme.write_text(text)
