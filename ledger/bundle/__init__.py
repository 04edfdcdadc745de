"""Inspection bundles (001 §12): everything an inspector needs to check a client's records offline,
without the database. ``export_bundle`` writes one, ``verify_bundle`` checks one. The layout and
the formats are in docs/inspection-bundle.md."""

from ledger.bundle.export import ExportResult, export_bundle
from ledger.bundle.verify import BundleReport, Problem, verify_bundle

__all__ = ["BundleReport", "ExportResult", "Problem", "export_bundle", "verify_bundle"]
