"""Opponent models: what a party estimates of another's utility from the offers it makes.

`bayes.BayesModel` (Hindriks and Tykhonov 2008) and `accuracy.accuracy`, which measures any
model against the true utility (Kendall's tau and Pearson's correlation over the outcomes).
"""
