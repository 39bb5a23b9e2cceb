"""The treaty document: its model here; `build`, `render_md`, `render_html`, `render_akn` beside it."""

from entente.treaty.model import Article, Clause, Obligation, Period, Treaty, TreatySpec

__all__ = ["Article", "Clause", "Obligation", "Period", "Treaty", "TreatySpec"]
