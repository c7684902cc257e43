"""`ami demo`: the whole deposit flow on the local stack, as bailleurs and instructors would live it.

Four bailleurs of different legal forms register; twelve operations across every zone of the ABC
zoning are entered; realistic French PDFs are generated and uploaded through the presigned POSTs;
some dossiers are incomplete, some files are bad; every dossier is sent; the pipeline runs; and the
outcome is checked against what must hold. The exit code is non-zero if anything is lost or
inconsistent.

`scenario` says who does what and what must become of it, `driver` plays it on a `LocalRuntime`,
`checks` judges the outcome.
"""

from __future__ import annotations

from infra.demo.driver import DemoResult, register_bailleurs, run
from infra.demo.scenario import BAILLEURS, luhn_siren

__all__ = ["BAILLEURS", "DemoResult", "luhn_siren", "register_bailleurs", "run"]
