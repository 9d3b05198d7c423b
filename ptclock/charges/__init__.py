"""Charges out (issue 18): the day's claims handed to the EMR or billing system as CSV
(a template's columns), HL7 v2 DFT^P03 or a FHIR R4 Bundle, and locked once sent.

``batch`` (what is sent, and what changed since), ``csv_template``, ``hl7`` and ``fhir`` are
pure; ``sending`` gathers the day from the Timekeeper, checks it, writes the file and records
the export.
"""
