"""Settings: favourites and their order, rule per payer, one-on-one or concurrent, the
long-timer limit, the sound cue, the provider and clinic printed on reports, and who sends
and who receives the charges handed to billing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ptclock.billing import Catalog, Rule
from ptclock.settings import PAGE_SIZES, Settings, valid_identifier_system, valid_npi
from ptclock.timing.records import Payer
from ptclock.ui.visit_header import PAYER_WORDS
from ptclock.ui.widget_parts import dialog_buttons, warning_label


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, catalog: Catalog, year: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(720)  # the favourites line shows all ten default codes
        self.catalog = catalog
        self.original = settings
        self.favourites = QLineEdit(" ".join(settings.favourites))
        self.favourites.setAccessibleName("Favourite codes, in order")
        self.rule_boxes: dict[Payer, QComboBox] = {}
        for payer in Payer:
            box = QComboBox()
            box.setAccessibleName(f"Rule for {PAYER_WORDS[payer.value]}")
            for rule in Rule:
                box.addItem(rule.in_words, rule.value)
            box.setCurrentIndex(list(Rule).index(settings.rule_for(payer)))
            self.rule_boxes[payer] = box
        self.concurrent = QCheckBox("New visits allow concurrent timers (default: one-on-one)")
        self.concurrent.setChecked(settings.concurrent_by_default)
        self.sound_cues = QCheckBox(
            "Beep when a unit is reached and when the next unit is a minute away"
        )
        self.sound_cues.setChecked(settings.sound_cues)
        self.long_timer = QSpinBox()
        self.long_timer.setAccessibleName("Long-timer limit")
        self.long_timer.setRange(1, 24 * 60)
        self.long_timer.setSuffix(" min")
        self.long_timer.setValue(settings.long_timer_minutes)
        self.provider = QLineEdit(settings.provider)
        self.provider.setAccessibleName("Provider name")
        self.credentials = QLineEdit(settings.credentials)
        self.credentials.setAccessibleName("Credentials")
        self.npi = QLineEdit(settings.npi)
        self.npi.setAccessibleName("NPI")
        self.npi.setMaxLength(10)
        self.clinic_name = QLineEdit(settings.clinic_name)
        self.clinic_name.setAccessibleName("Clinic name")
        self.clinic_address = QPlainTextEdit(settings.clinic_address)
        self.clinic_address.setAccessibleName("Clinic address")
        self.clinic_address.setFixedHeight(60)
        self.page_size = QComboBox()
        self.page_size.setAccessibleName("Report page size")
        for size in PAGE_SIZES:
            self.page_size.addItem(size.upper() if size == "a4" else size.title(), size)
        self.page_size.setCurrentIndex(PAGE_SIZES.index(settings.page_size))
        self.kx_year = year
        """The KX threshold asked for is this year's (the window's clock says which)."""
        known = settings.kx_thresholds.get(self.kx_year)
        self.kx_threshold = QLineEdit("" if known is None else f"{known:.2f}")
        self.kx_threshold.setAccessibleName(f"KX threshold for {self.kx_year}")
        self.kx_threshold.setPlaceholderText("dollars, from CMS's final rule")
        self.problem = warning_label()
        self.buttons = dialog_buttons(
            self, self._accept_if_valid, confirm=QDialogButtonBox.StandardButton.Save
        )

        form = QFormLayout(self)
        form.addRow("Favourite codes (keys 1–9 in this order)", self.favourites)
        for payer, box in self.rule_boxes.items():
            form.addRow(f"Rule for {PAYER_WORDS[payer.value]}", box)
        form.addRow(self.concurrent)
        form.addRow("Ask “still treating?” after", self.long_timer)
        form.addRow(self.sound_cues)
        form.addRow("Provider name", self.provider)
        form.addRow("Credentials", self.credentials)
        form.addRow("NPI", self.npi)
        form.addRow("Clinic name", self.clinic_name)
        form.addRow("Clinic address", self.clinic_address)
        form.addRow("Report page size", self.page_size)
        form.addRow(f"KX threshold {self.kx_year} ($)", self.kx_threshold)
        # Charges handed to billing (Report → Send day's charges…): HL7 MSH-3 to MSH-6 and
        # the FHIR identifier system of the clinic's MRNs, as the billing system names them.
        self.sending_application = self._line(
            settings.charges_sending_application, "PTCLOCK", "Charges: sending application"
        )
        self.sending_facility = self._line(
            settings.charges_sending_facility, "the clinic's name", "Charges: sending facility"
        )
        self.receiving_application = self._line(
            settings.charges_receiving_application, "application", "Receiving application"
        )
        self.receiving_facility = self._line(
            settings.charges_receiving_facility, "facility", "Receiving facility"
        )
        self.mrn_system = self._line(
            settings.charges_mrn_system, "urn:ptclock:mrn", "MRN identifier system"
        )
        form.addRow(
            "Charges sent from (HL7)", self._pair(self.sending_application, self.sending_facility)
        )
        form.addRow(
            "Charges sent to (HL7)", self._pair(self.receiving_application, self.receiving_facility)
        )
        form.addRow("MRN identifier system (FHIR)", self.mrn_system)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.result_settings: Settings | None = None

    def _line(self, text: str, placeholder: str, name: str) -> QLineEdit:
        line = QLineEdit(text)
        line.setPlaceholderText(placeholder)
        line.setAccessibleName(name)
        line.setMaxLength(20 if "system" not in name else 300)  # HL7 namespace IDs: 20
        return line

    def _pair(self, first: QLineEdit, second: QLineEdit) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(first)
        layout.addWidget(second)
        return row

    def collect(self) -> Settings:
        """The settings as typed; ValueError names the first field that is wrong."""
        favourites = []
        for text in self.favourites.text().replace(",", " ").split():
            if text not in self.catalog:
                raise ValueError(f"Favourite codes: {text} is not a known code")
            favourites.append(self.catalog[text].code)
        if not favourites:
            raise ValueError("Favourite codes: name at least one code")
        npi = self.npi.text().strip()
        if npi and not valid_npi(npi):
            raise ValueError(f"NPI: {npi} is not a valid 10-digit NPI")
        thresholds = dict(self.original.kx_thresholds)
        typed = self.kx_threshold.text().strip().lstrip("$").replace(",", "")
        if typed:
            try:
                amount = Decimal(typed)
            except InvalidOperation:
                raise ValueError(f"KX threshold: {typed} is not an amount") from None
            if not amount.is_finite() or amount <= 0:
                raise ValueError("KX threshold: must be more than 0")
            thresholds[self.kx_year] = amount
        mrn_system = self.mrn_system.text().strip()
        if not valid_identifier_system(mrn_system):
            raise ValueError(
                f"MRN identifier system: {mrn_system} is not a URI "
                "(like urn:oid:2.16.840.1.113883.19.5)"
            )
        rules = {}
        for payer, box in self.rule_boxes.items():
            rules[payer] = Rule(box.currentData())
        return self.original.changed(
            favourites=tuple(dict.fromkeys(favourites)),
            rules=rules,
            concurrent_by_default=self.concurrent.isChecked(),
            long_timer_minutes=self.long_timer.value(),
            sound_cues=self.sound_cues.isChecked(),
            provider=self.provider.text().strip(),
            credentials=self.credentials.text().strip(),
            npi=npi,
            clinic_name=self.clinic_name.text().strip(),
            clinic_address=self.clinic_address.toPlainText().strip(),
            page_size=str(self.page_size.currentData()),
            kx_thresholds=thresholds,
            charges_sending_application=self.sending_application.text().strip(),
            charges_sending_facility=self.sending_facility.text().strip(),
            charges_receiving_application=self.receiving_application.text().strip(),
            charges_receiving_facility=self.receiving_facility.text().strip(),
            charges_mrn_system=mrn_system,
        )

    def _accept_if_valid(self) -> None:
        try:
            self.result_settings = self.collect()
        except ValueError as error:
            self.problem.setText(str(error))
            return
        self.accept()
