"""Lifecycle of a treaty: its timeline of events and the audit of its obligations."""

from entente.audit.audit import Status, Verdict, audit
from entente.audit.timeline import Event, Succession

__all__ = ["Event", "Status", "Succession", "Verdict", "audit"]
