"""Parameterised analytical briefing kit: curated article claims in, HTML/PDF briefing out.

Pipeline (one module per stage, data flows one way):
paths -> schema -> load -> analysis -> charts -> notebook -> render.
"""

__version__ = "0.1.0"
