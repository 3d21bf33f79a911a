"""The project design document (PDD) as pacm reads it.

One pydantic model per PDD section, mirroring the order of the A6.4 PDD form: activity,
key dates, crediting period, baseline, additionality, leakage, removals, sustainable
development (SD Tool), monitoring plan, authorisation, CDM transition, quantification.

Design choices:
* every model forbids unknown keys (a typo is an error with a "did you mean" hint, not a
  silently ignored field);
* fields are optional where the standard lets a PDD omit them, so a missing value becomes an
  ``insufficient_data`` finding rather than a load error;
* the model holds what a PDD *states* and the checks that reject bad input; the fields pacm
  *derives* from it (``crediting_period.end``, ``baseline.lower_of_adjusted_and_bau``, counts over
  lists...) are rules of the standard, defined in the rule pack's derive layer (``rules/derive.yaml``,
  :mod:`pacm.pdd.derive`) and covered by its hash; rules read them like any other field.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from .. import limits
from ..dates import add_years, period_end
from .types import (
    Bool,
    Count,
    Date,
    Fraction,
    Integer,
    IsoAlpha3,
    NonNegative,
    Number,
    Percent,
    PositiveInteger,
    ShortText,
    SignedPercent,
    Text,
    YearlyValues,
    doc,
    unit,
    wrong,
)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=False, frozen=False)


# --------------------------------------------------------------------------- activity
Technology = Literal[
    "wind",
    "solar_pv",
    "solar_thermal",
    "hydro_run_of_river",
    "hydro_reservoir",
    "geothermal",
    "biomass_energy",
    "landfill_gas",
    "cookstoves",
    "afforestation_reforestation",
    "energy_efficiency",
    "methane_avoidance",
    "industrial_gases",
    "transport",
    "other",
]


class Methodology(Section):
    id: ShortText = doc("Methodology identifier, e.g. 'ACM0002' or 'A6.4-AMM-001'.")
    version: ShortText = doc("Methodology version as printed on it, e.g. '22.0'.")

    def label(self) -> str:
        """'ACM0002 v22.0': how every report names the methodology a PDD applies."""
        return f"{self.id} v{self.version}"


class Activity(Section):
    title: ShortText = doc("Title of the activity as in the PDD.")
    reference: Optional[ShortText] = doc("Registry reference (A6.4 or CDM number), if any.", default=None)
    host_party: IsoAlpha3 = doc("Host Party, ISO 3166-1 alpha-3 code (e.g. 'IND').")
    type: Literal["emission_reduction", "removal"] = doc(
        "Whether the activity reduces emissions or removes GHGs (removals follow A6.4-STAN-METH-002)."
    )
    scale: Optional[Literal["large", "small", "micro"]] = doc("Scale of the activity.", default=None)
    sector: Optional[ShortText] = doc("Sectoral scope, e.g. 'energy industries (renewable)'.", default=None)
    technology: Technology = doc("Technology of the activity (drives methodology choices, e.g. TOOL07 weights).")
    methodology: Methodology = doc("Methodology applied.")
    capacity_mw: Optional[NonNegative] = unit("MW", "Installed capacity.", default=None)
    power_density_w_m2: Optional[NonNegative] = unit(
        "W/m2", "Power density of a hydro reservoir: (Cap_PJ - Cap_BL) / (A_PJ - A_BL) (ACM0002; decides eligibility and "
        "reservoir emissions).", default=None)
    is_poa: Bool = doc("True for a programme of activities.", default=False)
    is_component: Bool = doc("True for a component activity included in a programme of activities.", default=False)
    poa_reference: Optional[ShortText] = doc(
        "For a component activity: the registry reference of the programme of activities it is included in.", default=None)
    poa_coordinating_entity: Optional[ShortText] = doc(
        "For a programme of activities: the coordinating/managing entity that runs the programme.", default=None)
    poa_inclusion_criteria: Optional[Text] = doc(
        "For a programme of activities: the eligibility criteria a component activity must meet to be included.", default=None)
    host_participation_requirements_met: Optional[Bool] = doc(
        "Host Party has fulfilled the participation requirements (A6.4-FORM-GOV-001).", default=None
    )
    reversal_risk: Optional[Bool] = doc(
        "An emission-reduction activity whose mitigation is at risk of reversal (e.g. stored carbon); such activities "
        "follow the removals standard too (A6.4-STAN-METH-002 scope).",
        default=None,
    )


class KeyDates(Section):
    start_date: Optional[Date] = doc(
        "Start date of the activity: earliest date of real action (e.g. commitment to construction).", default=None
    )
    prior_consideration_notified: Optional[Date] = doc(
        "Date the secretariat and the host DNA were notified of the intention to seek A6.4 status.", default=None
    )
    operation_start: Optional[Date] = doc("Date the activity started operating.", default=None)
    validation_date: Optional[Date] = doc("Date of the validation opinion.", default=None)
    registration_date: Optional[Date] = doc("Date of registration under the mechanism.", default=None)


class CreditingPeriod(Section):
    type: Literal["renewable", "fixed"] = doc("Renewable or fixed crediting period.")
    start: Date = doc("First day of the crediting period.")
    length_years: PositiveInteger = unit("year", "Length of this crediting period in years (at least 1).")
    number: PositiveInteger = doc("Which crediting period this is (1 for the first, 2 or 3 after renewals).", default=1)
    host_approved_length: Optional[Bool] = doc("Host Party approved the crediting-period length.", default=None)
    operational_lifetime_years: Optional[NonNegative] = unit(
        "year", "Remaining operational lifetime of the equipment from the start of the crediting period.", default=None
    )
    baseline_updated_at_renewal: Optional[Bool] = doc(
        "For a renewal: the baseline was updated with new data and policies.", default=None
    )
    latest_methodology_version_applied: Optional[Bool] = doc(
        "For a renewal: the latest version of the methodology in force is applied.", default=None
    )
    additionality_reassessed: Optional[Bool] = doc(
        "For a renewal: additionality was re-demonstrated under the standard in force.", default=None
    )

    @field_validator("length_years")
    @classmethod
    def _ends_inside_the_window(cls, years: int, info: ValidationInfo) -> int:
        """The derived end date must be a date pacm can hold (a 10,000-year period cannot)."""
        start = info.data.get("start")
        if start is None:
            return years
        last = start.year + years
        if not (limits.YEAR_MIN <= last <= limits.YEAR_MAX + 1) or period_end(start, years) > limits.DATE_MAX:
            raise wrong(
                "date-out-of-bounds",
                f"found {limits.shown_number(years)} years: the period starting {start.isoformat()} would end outside pacm's window",
                limits.DATE_EXPECTED + " for the last day of the crediting period",
            )
        return years

    @field_validator("number")
    @classmethod
    def _first_period_inside_the_window(cls, number: int, info: ValidationInfo) -> int:
        """The first period's start, derived as start - (number - 1) x length_years (the reversal-risk
        reassessment dates count from it), must be a date pacm can hold: period 407 of 5 years from 2026
        would start in year -4 (found by the hostile-input generator, issue 11)."""
        start, years = info.data.get("start"), info.data.get("length_years")
        if start is None or years is None:
            return number
        back = (number - 1) * years
        if start.year - back < limits.YEAR_MIN or add_years(start, -back) < limits.DATE_MIN:
            raise wrong(
                "date-out-of-bounds",
                f"found {limits.shown_number(number)}: {number - 1} earlier periods of {years} years before "
                f"{start.isoformat()} would start the first one outside pacm's window",
                limits.DATE_EXPECTED + " for the first day of the first crediting period",
            )
        return number

    @property
    def end(self) -> dt.date:
        """The last day, for Python callers (quantities, reports): the derive layer's ``crediting_period.end``,
        ``period_end(start, length_years)``, by the same function of :mod:`pacm.dates`."""
        return period_end(self.start, self.length_years)


class DownwardAdjustment(Section):
    initial: Fraction = unit("fraction", "Downward adjustment applied in the first crediting year (0.10 = 10 %).")
    annual_increment: Fraction = unit("fraction/year", "Increase of the adjustment each following year.")
    form: Literal["linear", "compound"] = doc(
        "How the adjustment grows: linear (initial + increment x years) or compound.", default="linear"
    )


class SuppressedDemand(Section):
    claimed: Bool = doc("The baseline reflects suppressed demand.")
    minimum_service_level: Optional[Text] = doc("Minimum service level used and its justification.", default=None)


class StandardizedBaseline(Section):
    id: ShortText = doc("Standardized baseline identifier.")
    version: ShortText = doc("Version.")
    valid_until: Date = doc("End of validity.")


Approach = Literal[
    "best_available_technology",
    "ambitious_benchmark",
    "historical_adjusted",
    "bau_projection",
]


class Baseline(Section):
    approach: Optional[Approach] = doc("Baseline approach (RMP para 36: BAT, ambitious benchmark, or historical adjusted downwards).", default=None)
    justification: Optional[Text] = doc("Why the approach is appropriate and consistent with RMP paras 33 and 35.", default=None)
    bau_emissions: Optional[NonNegative] = unit("tCO2e/year", "Business-as-usual emissions (annual).", default=None)
    baseline_emissions: Optional[NonNegative] = unit("tCO2e/year", "Baseline emissions before the downward adjustment (annual, first year).", default=None)
    downward_adjustment: Optional[DownwardAdjustment] = doc("Downward adjustment of the baseline.", default=None)
    national_policies_considered: Optional[Bool] = doc("Relevant enforced national policies are reflected in the baseline.", default=None)
    ndc_consistency: Optional[Text] = doc("How the baseline is consistent with the host NDC and LT-LEDS.", default=None)
    host_more_ambitious_level: Optional[Bool] = doc("Host Party set a more ambitious baseline level.", default=None)
    host_ambitious_level_applied: Optional[Bool] = doc("That more ambitious level is applied.", default=None)
    suppressed_demand: Optional[SuppressedDemand] = doc("Suppressed demand.", default=None)
    standardized_baseline: Optional[StandardizedBaseline] = doc("Standardized baseline used, if any.", default=None)
    crediting_baseline_emissions: Optional[NonNegative] = unit(
        "tCO2e/year",
        "Crediting baseline the PDD states for the first crediting year (after the downward adjustment and the "
        "comparison with BAU), if it states one.",
        default=None,
    )


class LegalRequirement(Section):
    required_by_law: Bool = doc("The activity (or its mitigation) is required by enforced law or regulation.")
    analysis: Optional[Text] = doc("Regulatory analysis: laws and policies considered.", default=None)


class Sensitivity(Section):
    parameter: ShortText = doc("Parameter varied (investment cost, O&M, tariff, load factor...).")
    variation_pct: SignedPercent = unit("%", "Variation applied, e.g. -10 or +10 (-100 to 100).")
    irr_pct: SignedPercent = unit("%", "IRR without credits under that variation (-100 to 100).")


class Investment(Section):
    analysis: Literal["benchmark", "investment_comparison", "simple_cost"] = doc("Investment analysis option (TOOL27).")
    benchmark_pct: Optional[Percent] = unit("%", "Benchmark return (e.g. expected return on equity), 0 to 100.", default=None)
    benchmark_source: Optional[Text] = doc("Source of the benchmark.", default=None)
    irr_without_credits_pct: Optional[SignedPercent] = unit("%", "IRR without revenue from A6.4ERs (-100 to 100).", default=None)
    irr_with_credits_pct: Optional[SignedPercent] = unit("%", "IRR with revenue from A6.4ERs (-100 to 100).", default=None)
    sensitivity: list[Sensitivity] = doc("Sensitivity cases.", default_factory=list)


class CommonPractice(Section):
    n_all: Count = doc("N_all: comparable plants in the area delivering the same output (TOOL24).")
    n_diff: Count = doc("N_diff: of those, plants applying technologies different from the activity.")
    geographic_area: Optional[ShortText] = doc("Area of the analysis (host country by default).", default=None)

    @model_validator(mode="after")
    def _diff_le_all(self):
        if self.n_diff > self.n_all:
            raise ValueError(f"n_diff ({self.n_diff}) cannot exceed n_all ({self.n_all})")
        return self


class LockIn(Section):
    assessment: Optional[Text] = doc("Lock-in risk analysis.", default=None)
    extends_fossil_asset: Optional[Bool] = doc(
        "The activity extends the life of, or adds capacity to, a fossil-based asset.", default=None
    )


class Barriers(Section):
    claimed: Bool = doc("Barrier analysis is used.")
    description: Optional[Text] = doc("Barriers claimed.", default=None)


class FirstOfItsKind(Section):
    claimed: Bool = doc("The activity is claimed to be the first of its kind in the applicable area (TOOL01 step 0).")
    evidence: Optional[Text] = doc("Evidence that no comparable activity operates in the area.", default=None)


class Additionality(Section):
    legal_requirement: Optional[LegalRequirement] = doc("Regulatory surplus.", default=None)
    investment: Optional[Investment] = doc("Investment analysis.", default=None)
    common_practice: Optional[CommonPractice] = doc("Common-practice analysis.", default=None)
    lock_in: Optional[LockIn] = doc("Lock-in risk.", default=None)
    barriers: Optional[Barriers] = doc("Barrier analysis (not a stand-alone test under A6.4).", default=None)
    positive_list: Optional[ShortText] = doc("Positive list / automatic additionality claimed, with its reference.", default=None)
    first_of_its_kind: Optional[FirstOfItsKind] = doc("First-of-its-kind claim (CDM TOOL01 step 0).", default=None)


class LeakageSource(Section):
    source: ShortText = doc("Leakage source, e.g. 'equipment transfer', 'activity shifting'.")
    treatment: Literal["avoided", "minimised", "quantified", "discounted", "not_significant"] = doc("How it is addressed.")
    justification: Optional[Text] = doc("Why the treatment is appropriate.", default=None)


class Leakage(Section):
    assessed: Bool = doc("Leakage sources were identified and assessed.")
    sources: list[LeakageSource] = doc("Leakage sources identified.", default_factory=list)
    discount: Optional[Fraction] = unit("fraction", "Leakage discount applied to reductions, if any.", default=None)
    estimated_tonnes_per_year: Optional[Number] = unit(
        "tCO2e/year", "Ex-ante leakage emissions (LE_y) the PDD deducts; a negative value would credit 'positive leakage'.", default=None
    )
    international_leakage_considered: Optional[Bool] = doc("Leakage outside the host Party was considered.", default=None)


class ReversalRisk(Section):
    assessment: Optional[Text] = doc("Reversal-risk assessment (natural, anthropogenic, management risks).", default=None)
    rating: Optional[Literal["low", "medium", "high", "very_high"]] = doc("Reversal-risk rating.", default=None)
    assessed_on: Optional[Date] = doc("Date of the latest assessment.", default=None)


class ReversalEvent(Section):
    observed_on: Date = doc("Date the event that may cause a reversal was observed.")
    notified_on: Optional[Date] = doc("Date the Supervisory Body was notified.", default=None)
    avoidable: Optional[Bool] = doc("Avoidable (participants had influence or control).", default=None)
    tonnes: Optional[NonNegative] = unit("tCO2e", "Reversed quantity, if known.", default=None)
    compensated_by_participants: Optional[Bool] = doc(
        "For an avoidable reversal: the activity participants compensated it (replaced or cancelled units).", default=None
    )


class Removals(Section):
    reversal_risk: Optional[ReversalRisk] = doc("Reversal-risk assessment and rating.", default=None)
    monitoring_report_interval_years: Optional[NonNegative] = unit("year", "Planned interval between monitoring reports.", default=None)
    post_crediting_monitoring_years: Optional[NonNegative] = unit("year", "Planned monitoring after the last crediting period.", default=None)
    reversal_events: list[ReversalEvent] = doc("Events that may have caused a reversal.", default_factory=list)
    buffer_contribution_rate: Optional[Fraction] = unit(
        "fraction", "Share of A6.4ERs the PDD plans to contribute to the reversal-risk buffer pool.", default=None
    )


class SdRisk(Section):
    completed: Bool = doc("E&S safeguard risk assessment done per SD Tool principle.")
    conclusion: Optional[Text] = doc("Do-no-harm conclusion and mitigation hierarchy applied.", default=None)


class Consultation(Section):
    start: Optional[Date] = doc("First day.", default=None)
    end: Optional[Date] = doc("Last day.", default=None)
    summary: Optional[Text] = doc("Summary of comments and how they were taken into account.", default=None)


class Fpic(Section):
    indigenous_peoples_affected: Bool = doc("Indigenous Peoples are affected.")
    consent_obtained: Optional[Bool] = doc("Free, prior and informed consent obtained.", default=None)


class SustainableDevelopment(Section):
    risk_assessment: Optional[SdRisk] = doc("SD Tool E&S risk assessment.", default=None)
    sdg_contributions: list[Integer] = doc("SDGs the activity contributes to (1-17).", default_factory=list)
    indicators: list[ShortText] = doc("Activity-level SD monitoring indicators.", default_factory=list)
    local_stakeholder_consultation: Optional[Consultation] = doc("Local stakeholder consultation.", default=None)
    global_stakeholder_consultation: Optional[Consultation] = doc("Global stakeholder consultation.", default=None)
    grievance_mechanism: Optional[Bool] = doc("An activity-level grievance mechanism exists.", default=None)
    fpic: Optional[Fpic] = doc("Indigenous Peoples and FPIC.", default=None)


class MonitoringPlan(Section):
    provided: Bool = doc("A monitoring plan is included.")
    parameters: list[ShortText] = doc("Monitored parameters.", default_factory=list)
    qa_qc: Optional[Text] = doc("QA/QC procedures.", default=None)


class Authorization(Section):
    status: Literal["authorised", "mitigation_contribution", "pending"] = doc(
        "Whether the host Party authorised A6.4ERs for NDC / other international mitigation purposes."
    )
    authorised_share: Optional[Fraction] = unit("fraction", "Share of A6.4ERs authorised (1 = all).", default=None)
    uses: list[Literal["ndc", "other_international_mitigation_purposes"]] = doc("Authorised uses.", default_factory=list)
    letter_date: Optional[Date] = doc("Date of the authorisation statement.", default=None)
    activity_approved_by_host: Optional[Bool] = doc("The host Party approved the activity (letter of approval).", default=None)


class Validation(Section):
    doe: ShortText = doc("Designated operational entity (DOE) that validates the activity.")
    doe_accredited: Optional[Bool] = doc("The DOE is accredited under the A6.4 mechanism for the sectoral scope.", default=None)
    standard_version: Optional[ShortText] = doc("Version of the A6.4 validation and verification standard applied.", default=None)


class Transition(Section):
    """The CDM record of a former CDM activity and its transition steps (decision 7/CMA.4, annex I).

    ``pacm transition`` fills this section from the UNFCCC export; a few fields are *derived* there
    from dated parameters (``cdm_methodology_until``) because the rule engines have no date
    functions (hazard 11); a PDD may also give them directly.
    """

    cdm_reference: Optional[Integer] = doc(
        "CDM registration reference number (absent for activities never registered under the CDM).", default=None
    )
    cdm_registration_date: Optional[Date] = doc("CDM registration date.", default=None)
    cdm_registration_status: Optional[
        Literal["registered", "provisional", "deregistered", "rejected", "withdrawn", "not_registered"]
    ] = doc("Status of the activity in the CDM registry (UNFCCC 'website project status', mapped).", default=None)
    cdm_crediting_period_type: Optional[Literal["renewable", "fixed"]] = doc(
        "Type of the CDM crediting period (it may not change at or after the transition).", default=None
    )
    cdm_crediting_period_number: Optional[PositiveInteger] = doc(
        "Which CDM crediting period (1 to 3) the start and end below describe.", default=None
    )
    cdm_crediting_period_start: Optional[Date] = doc(
        "Start of the CDM crediting period current on 1 January 2021 (if none was, the last one that started before).",
        default=None,
    )
    cdm_crediting_period_end: Optional[Date] = doc("End of that CDM crediting period.", default=None)
    cdm_cers_issued: Optional[Count] = doc("CERs issued under the CDM (all pre-2021 vintages).", default=None)
    cdm_methodology_until: Optional[Date] = doc(
        "Last day the CDM methodology may be applied: the earlier of the end of the CDM crediting period and the "
        "deadline in force (derived by `pacm transition` from the parameters, or given).",
        default=None,
    )
    request_submitted_on: Optional[Date] = doc("Date the transition request was submitted.", default=None)
    host_approval_on: Optional[Date] = doc("Date of host Party approval of the transition (A6.4-FORM-AC-003).", default=None)
    keeps_cdm_methodology: Optional[Bool] = doc("The activity keeps applying its CDM methodology for now.", default=None)
    addendum_submitted_on: Optional[Date] = doc("Date the PDD addendum was submitted (when the CDM methodology is kept).", default=None)
    cdm_methodology_applied_until: Optional[Date] = doc("Last day the CDM methodology is applied.", default=None)


class Issuance(Section):
    planned_issuance_date: Optional[Date] = doc("Date of the (first) issuance request, to judge LDC/SIDS status on.", default=None)


class Quantification(Section):
    """Inputs of the methodology equations (checked against the methodology's declared inputs)."""

    inputs: dict[str, Number | Bool | ShortText | Date] = doc(
        "Fixed (ex-ante) methodology parameters, by the methodology's parameter name.", default_factory=dict
    )
    yearly: dict[str, YearlyValues] = doc(
        "Per-year values (ex-ante estimates or monitored data), by parameter name then calendar year.",
        default_factory=dict,
    )
    ex_ante_annual_reductions: Optional[NonNegative] = unit(
        "tCO2e/year", "Ex-ante estimate of the average annual emission reductions or net removals the PDD states "
        "(reconciled with what pacm computes, quantities.reconciliation).", default=None)
    ex_ante_total_reductions: Optional[NonNegative] = unit(
        "tCO2e", "Ex-ante estimate of the reductions or net removals over the crediting period the PDD states "
        "(reconciled with what pacm computes).", default=None)


class PDD(Section):
    """A project design document, as pacm checks it."""

    model_config = ConfigDict(extra="forbid", title="pacm PDD", json_schema_extra={"$id": "https://pacm.dev/schema/pdd-1.json"})

    pacm_pdd: Literal["1"] = doc("PDD format version understood by this pacm.", default="1")
    activity: Activity = doc("The activity: title, host Party, type, technology, methodology (PDD form section A).")
    dates: KeyDates = doc("Key dates.", default_factory=KeyDates)
    crediting_period: CreditingPeriod = doc("The crediting period: type, start and length (RMP para 31).")
    baseline: Baseline = doc("Baseline.", default_factory=Baseline)
    additionality: Additionality = doc("Additionality.", default_factory=Additionality)
    leakage: Optional[Leakage] = doc("Leakage.", default=None)
    removals: Optional[Removals] = doc("Removals-specific information (A6.4-STAN-METH-002).", default=None)
    sd: SustainableDevelopment = doc("Sustainable development (SD Tool).", default_factory=SustainableDevelopment)
    monitoring_plan: Optional[MonitoringPlan] = doc("Monitoring plan.", default=None)
    authorization: Optional[Authorization] = doc("Authorisation of A6.4ERs.", default=None)
    validation: Optional[Validation] = doc("Validation by a designated operational entity.", default=None)
    transition: Optional[Transition] = doc("CDM-transition record, for former CDM activities.", default=None)
    issuance: Issuance = doc("Issuance planning.", default_factory=Issuance)
    quantification: Quantification = doc("Methodology inputs.", default_factory=Quantification)
