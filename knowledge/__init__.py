"""The assistant's knowledge: the fact registry (knowledge/facts/, issue 17).

`from knowledge import facts`; `facts.get("bpjs.contribution.class1").text` -> "Rp150.000 ...".
The registry is loaded and validated once, at import: a broken fact file fails loudly here.
"""

from knowledge.registry import FACTS_DIR, Fact, FactError, LegalBasis, Registry, Source, render_value

facts = Registry.load(FACTS_DIR)

__all__ = ["FACTS_DIR", "Fact", "FactError", "LegalBasis", "Registry", "Source", "facts", "render_value"]
