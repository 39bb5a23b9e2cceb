"""Negotiating agents built from parts: a bidding strategy, an opponent model and an acceptance
condition (the BOA architecture of Baarslag et al. 2014), combined by spec:
`boa(bid="timedep(e=0.2)", model="bayes", accept="ac_next(a=1.02, b=0)")`.

`acceptance` holds the acceptance conditions, `models` the table of opponent models and the
measure of their accuracy, `agent` the strategy that composes the three.
"""
