"""The project design document (PDD) as pacm reads it.

One pydantic model per PDD section, mirroring the order of the A6.4 PDD form: activity,
key dates, crediting period, baseline, additionality, leakage, removals, sustainable
development (SD Tool), monitoring plan, authorisation, CDM transition, quantification.

Design choices:
* every model forbids unknown keys (a typo is an error with a "did you mean" hint, not a
  silently ignored field);
* fields are optional where the standard lets a PDD omit them, so a missing value becomes an
  ``insufficient_data`` finding rather than a load error;
* a few *derived* fields (``crediting_period.end``, ``additionality.common_practice.f``, ...)
  are computed here, once, because the Rete engine has no date arithmetic, aggregation or
  functions (hazard 11); rules read them like any other field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, ValidationInfo, computed_field, field_validator, model_validator

from .. import limits
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


def add_years(start: dt.date, years: int) -> dt.date:
    """Anniversary ``years`` after ``start``; 29 February rolls to 1 March in non-leap years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 Feb -> 1 Mar
        return dt.date(start.year + years, 3, 1)


def period_end(start: dt.date, years: int) -> dt.date:
    """Last day of a period of ``years`` starting ``start``: anniversary minus one day.

    Pinned against the UNFCCC data (case C10): a 7-year period from 2012-02-29 ends 2019-02-28.
    """
    return add_years(start, years) - dt.timedelta(days=1)


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

    @computed_field(description="The removals standard applies: a removal activity, or an emission reduction with reversal risk (derived).")
    @property
    def removals_standard_applies(self) -> bool:
        return self.type == "removal" or self.reversal_risk is True


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

    @computed_field(description="Days from the start date to the prior-consideration notification (derived).", json_schema_extra={"inputs": ['dates.start_date', 'dates.prior_consideration_notified']})
    @property
    def notification_delay_days(self) -> Optional[int]:
        if self.start_date and self.prior_consideration_notified:
            return (self.prior_consideration_notified - self.start_date).days
        return None


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

    @computed_field(description="Last day of the crediting period (derived: start + length - 1 day).", json_schema_extra={"inputs": ['crediting_period.start', 'crediting_period.length_years']})
    @property
    def end(self) -> dt.date:
        return period_end(self.start, self.length_years)

    @computed_field(description="Length in days (derived).", json_schema_extra={"inputs": ['crediting_period.start', 'crediting_period.length_years']})
    @property
    def length_days(self) -> int:
        return (self.end - self.start).days + 1

    @computed_field(description="Total years credited up to the end of this period, assuming earlier periods of the same length (derived).", json_schema_extra={"inputs": ['crediting_period.length_years', 'crediting_period.number']})
    @property
    def cumulative_years(self) -> int:
        return self.length_years * self.number

    @computed_field(description="Years credited in earlier crediting periods, assuming they had this period's length (derived; 0 for the first).", json_schema_extra={"inputs": ['crediting_period.length_years', 'crediting_period.number']})
    @property
    def prior_years(self) -> int:
        return self.length_years * (self.number - 1)


class DownwardAdjustment(Section):
    initial: Fraction = unit("fraction", "Downward adjustment applied in the first crediting year (0.10 = 10 %).")
    annual_increment: Fraction = unit("fraction/year", "Increase of the adjustment each following year.")
    form: Literal["linear", "compound"] = doc(
        "How the adjustment grows: linear (initial + increment x years) or compound.", default="linear"
    )

    @computed_field(description="Initial adjustment in percent, exact (derived: initial x 100; lets rules compare sums of percentages without binary rounding).", json_schema_extra={"inputs": ['baseline.downward_adjustment.initial']})
    @property
    def initial_pct(self) -> Decimal:
        return self.initial * 100


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

    @computed_field(description="Baseline (before adjustment) minus BAU; must not be positive (derived).", json_schema_extra={"inputs": ['baseline.baseline_emissions', 'baseline.bau_emissions']})
    @property
    def excess_over_bau(self) -> Optional[Decimal]:
        if self.baseline_emissions is not None and self.bau_emissions is not None:
            return self.baseline_emissions - self.bau_emissions
        return None

    @computed_field(description="First-year baseline after the initial downward adjustment: baseline_emissions x (1 - initial); unadjusted when the PDD gives no adjustment (derived).", json_schema_extra={"inputs": ['baseline.baseline_emissions', 'baseline.downward_adjustment.initial']})
    @property
    def adjusted_emissions(self) -> Optional[Decimal]:
        if self.baseline_emissions is None:
            return None
        if self.downward_adjustment is None:
            return self.baseline_emissions
        return self.baseline_emissions * (1 - self.downward_adjustment.initial)

    @computed_field(description="Lower of the adjusted baseline and BAU for the first year ('choose the lower number', derived).", json_schema_extra={"inputs": ['baseline.baseline_emissions', 'baseline.downward_adjustment.initial', 'baseline.bau_emissions']})
    @property
    def lower_of_adjusted_and_bau(self) -> Optional[Decimal]:
        adj = self.adjusted_emissions
        if adj is None or self.bau_emissions is None:
            return None
        return min(adj, self.bau_emissions)

    @computed_field(description="First-year crediting baseline: the one the PDD states, else the lower of the adjusted baseline and BAU (derived).",
                    json_schema_extra={"inputs": ['baseline.crediting_baseline_emissions', 'baseline.baseline_emissions', 'baseline.downward_adjustment.initial', 'baseline.bau_emissions'], "may_equal": ["lower_of_adjusted_and_bau"]})
    @property
    def crediting_baseline_first_year(self) -> Optional[Decimal]:
        if self.crediting_baseline_emissions is not None:
            return self.crediting_baseline_emissions
        return self.lower_of_adjusted_and_bau


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

    @computed_field(description="Highest IRR among the sensitivity cases (derived).", json_schema_extra={"inputs": ['additionality.investment.sensitivity']})
    @property
    def sensitivity_max_irr_pct(self) -> Optional[Decimal]:
        return max((s.irr_pct for s in self.sensitivity), default=None)

    @computed_field(description="Largest absolute variation tested in the sensitivity cases (derived).", json_schema_extra={"inputs": ['additionality.investment.sensitivity']})
    @property
    def sensitivity_max_variation_pct(self) -> Optional[Decimal]:
        return max((abs(s.variation_pct) for s in self.sensitivity), default=None)


class CommonPractice(Section):
    n_all: Count = doc("N_all: comparable plants in the area delivering the same output (TOOL24).")
    n_diff: Count = doc("N_diff: of those, plants applying technologies different from the activity.")
    geographic_area: Optional[ShortText] = doc("Area of the analysis (host country by default).", default=None)

    @model_validator(mode="after")
    def _diff_le_all(self):
        if self.n_diff > self.n_all:
            raise ValueError(f"n_diff ({self.n_diff}) cannot exceed n_all ({self.n_all})")
        return self

    @computed_field(description="N_all - N_diff: similar plants using the same technology (derived).", json_schema_extra={"inputs": ['additionality.common_practice.n_all', 'additionality.common_practice.n_diff']})
    @property
    def n_similar(self) -> int:
        return self.n_all - self.n_diff


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

    @computed_field(description="Sources treated by a discount (derived).")
    @property
    def discounted_count(self) -> int:
        return sum(1 for s in self.sources if s.treatment == "discounted")

    @computed_field(description="Sources treated by quantification (derived).")
    @property
    def quantified_count(self) -> int:
        return sum(1 for s in self.sources if s.treatment == "quantified")

    @computed_field(description="Number of leakage sources identified (derived).")
    @property
    def sources_count(self) -> int:
        return len(self.sources)

    @computed_field(description="Sources marked 'discounted' or 'quantified' without justification (derived).")
    @property
    def unjustified_count(self) -> int:
        return sum(1 for s in self.sources if s.justification is None)


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

    @computed_field(description="Observation date of the oldest reversal event not yet notified (derived).", json_schema_extra={"inputs": ['removals.reversal_events']})
    @property
    def oldest_unnotified_event_on(self) -> Optional[dt.date]:
        return min((e.observed_on for e in self.reversal_events if e.notified_on is None), default=None)

    @computed_field(description="Avoidable reversal events (derived).")
    @property
    def avoidable_events(self) -> int:
        return sum(1 for e in self.reversal_events if e.avoidable)

    @computed_field(description="Avoidable reversal events the participants have not shown to be compensated (derived).")
    @property
    def avoidable_uncompensated_events(self) -> int:
        return sum(1 for e in self.reversal_events if e.avoidable and not e.compensated_by_participants)

    @computed_field(description="Longest delay from observing a reversal event to notifying it, in days (derived).", json_schema_extra={"inputs": ['removals.reversal_events']})
    @property
    def max_notification_delay_days(self) -> Optional[int]:
        ds = [(e.notified_on - e.observed_on).days for e in self.reversal_events if e.notified_on]
        return max(ds, default=None)

    @computed_field(description="Reversal events never notified (derived).")
    @property
    def unnotified_events(self) -> int:
        return sum(1 for e in self.reversal_events if e.notified_on is None)


class SdRisk(Section):
    completed: Bool = doc("E&S safeguard risk assessment done per SD Tool principle.")
    conclusion: Optional[Text] = doc("Do-no-harm conclusion and mitigation hierarchy applied.", default=None)


class Consultation(Section):
    start: Optional[Date] = doc("First day.", default=None)
    end: Optional[Date] = doc("Last day.", default=None)
    summary: Optional[Text] = doc("Summary of comments and how they were taken into account.", default=None)

    @computed_field(description="Length in days, both ends included (derived).")
    @property
    def days(self) -> Optional[int]:
        if self.start and self.end:
            return (self.end - self.start).days + 1
        return None


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

    @computed_field(description="Number of SDGs claimed (derived).")
    @property
    def sdg_count(self) -> int:
        return len(self.sdg_contributions)

    @computed_field(description="Number of SD indicators (derived).")
    @property
    def indicator_count(self) -> int:
        return len(self.indicators)

    @computed_field(description="Lowest SDG number claimed (derived).")
    @property
    def sdg_min(self) -> Optional[int]:
        return min(self.sdg_contributions, default=None)

    @computed_field(description="Highest SDG number claimed (derived).")
    @property
    def sdg_max(self) -> Optional[int]:
        return max(self.sdg_contributions, default=None)


class MonitoringPlan(Section):
    provided: Bool = doc("A monitoring plan is included.")
    parameters: list[ShortText] = doc("Monitored parameters.", default_factory=list)
    qa_qc: Optional[Text] = doc("QA/QC procedures.", default=None)

    @computed_field(description="Number of monitored parameters (derived).")
    @property
    def parameter_count(self) -> int:
        return len(self.parameters)


class Authorization(Section):
    status: Literal["authorised", "mitigation_contribution", "pending"] = doc(
        "Whether the host Party authorised A6.4ERs for NDC / other international mitigation purposes."
    )
    authorised_share: Optional[Fraction] = unit("fraction", "Share of A6.4ERs authorised (1 = all).", default=None)
    uses: list[Literal["ndc", "other_international_mitigation_purposes"]] = doc("Authorised uses.", default_factory=list)
    letter_date: Optional[Date] = doc("Date of the authorisation statement.", default=None)
    activity_approved_by_host: Optional[Bool] = doc("The host Party approved the activity (letter of approval).", default=None)

    @computed_field(description="Number of authorised uses stated (derived).")
    @property
    def uses_count(self) -> int:
        return len(self.uses)


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

    @computed_field(description=(
        "Length of the CDM crediting period in whole calendar years: the fewest years N with start + N years on or "
        "after its end, so an end on the N-th anniversary itself (one day past start + N years - 1 day, as 1,254 "
        "periods of the UNFCCC export are recorded) counts as N years (derived)."), json_schema_extra={"inputs": ['transition.cdm_crediting_period_start', 'transition.cdm_crediting_period_end']})
    @property
    def cdm_crediting_period_years(self) -> Optional[int]:
        start, end = self.cdm_crediting_period_start, self.cdm_crediting_period_end
        if start is None or end is None or end < start:
            return None
        n = max(0, end.year - start.year - 1)
        while add_years(start, n) < end:
            n += 1
        return n


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

    @computed_field(description="True when the PDD carries a CDM-transition record (derived); the transition rules apply only then.")
    @property
    def is_cdm_transition(self) -> bool:
        return self.transition is not None

    @computed_field(description=(
        "The crediting period starts under Article 6.4 (derived): true without a CDM-transition record; for a "
        "transitioned activity, true when it starts after the CDM crediting period on record ends (a renewal under "
        "the mechanism), false when it is that CDM period. The RMP crediting-period rules (para 31) apply only when "
        "it is true; the CDM period is judged by the transition rules. From crediting_period.start and "
        "transition.cdm_crediting_period_end (or, without dates, crediting_period.number and "
        "transition.cdm_crediting_period_number)."), json_schema_extra={"inputs": ['crediting_period.start', 'transition.cdm_crediting_period_end', 'transition.cdm_crediting_period_number']})
    @property
    def crediting_period_under_a64(self) -> Optional[bool]:
        t = self.transition
        if t is None:
            return True
        if t.cdm_crediting_period_end is not None:
            return self.crediting_period.start > t.cdm_crediting_period_end
        if t.cdm_crediting_period_number is not None:
            return self.crediting_period.number > t.cdm_crediting_period_number
        return None

    @computed_field(description=(
        "How the PDD applies its methodology (derived): 'transitioned' (the CDM crediting period of a transitioned "
        "activity), 'renewal' (a later crediting period under Article 6.4) or 'new'. Compared with the uses the "
        "methodology registry allows. From transition, crediting_period.start and crediting_period.number."), json_schema_extra={"inputs": ['transition', 'crediting_period.start', 'crediting_period.number']})
    @property
    def methodology_use(self) -> Optional[str]:
        under = self.crediting_period_under_a64
        if under is None:
            return None
        if not under:
            return "transitioned"
        return "renewal" if (self.crediting_period.number > 1 or self.transition is not None) else "new"

    @computed_field(description=(
        "Last day the PDD applies a CDM methodology (derived): transition.cdm_methodology_applied_until when given, "
        "else the end of the crediting period; only for the CDM crediting period of a transitioned activity."), json_schema_extra={"inputs": ['transition.cdm_methodology_applied_until', 'crediting_period.start', 'crediting_period.length_years']})
    @property
    def cdm_methodology_last_day(self) -> Optional[dt.date]:
        if self.methodology_use != "transitioned":
            return None
        t = self.transition
        if t is not None and t.cdm_methodology_applied_until is not None:
            return t.cdm_methodology_applied_until
        return self.crediting_period.end
