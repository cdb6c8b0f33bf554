"""Catalog files: the demo catalog, every error collected with file and line, content hash."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from premia.kernel.errors import ConflictError, NotFoundError
from premia.rating import DEMO_CATALOG_PATH, Catalog, CatalogError, parse_catalog_file, parse_catalog_text
from premia.rating.model import AgeBasis, ExchangeStatus, Market, ProrationMethod, RatingArea

MINIMAL = """\
carrier: Test Carrier
tobacco_caps:
  VA: "1.5"
defaults:
  grace_rule_set: va-individual-exchange
rating_areas:
  - id: VA-1
    state: VA
    counties: [Fairfax County]
    zip5: ["22030"]
  - id: VA-2
    state: VA
    counties: [Henrico County]
    zip3: ["232"]
products:
  - {id: 12345VA002, name: Test Silver, state: VA}
plans:
  - id: 12345VA0020001
    plan_year: 2026
    product: 12345VA002
    market: individual
    exchange: on
    metal_level: silver
    ehb_share: 0.995
    tobacco_factor: 1.20
rate_tables:
  - rows:
      - {plan: 12345VA0020001, area: VA-1, effective_start: 2026-01-01, effective_end: 2026-12-31,
         base_rate: 400.00}
      - {plan: 12345VA0020001, area: VA-2, effective_start: 2026-01-01, effective_end: 2026-12-31,
         base_rate: 380.00}
"""


def line_of(text: str, fragment: str) -> int:
    """Return the 1-based line number of the first line containing ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")


def errors_for(text: str, tmp_path: Path | None = None) -> list[CatalogError]:
    catalog, errors = parse_catalog_text(text, source="test.yaml", base_dir=tmp_path)
    assert catalog is None
    return errors


def only_error(errors: list[CatalogError]) -> CatalogError:
    assert len(errors) == 1, [str(error) for error in errors]
    return errors[0]


def test_demo_catalog_parses() -> None:
    catalog, errors = parse_catalog_file(DEMO_CATALOG_PATH)

    assert errors == []
    assert catalog is not None
    assert len(catalog.plans) == 10
    assert len(catalog.rating_areas) == 3
    # 8 annual plan years x 3 areas + 2 small-group years x 3 areas x 4 quarters
    assert len(catalog.rates.rows) == 48


def test_demo_silver_base_rate(demo_catalog: Catalog) -> None:
    row = demo_catalog.rates.find_rate("12345VA0020001", "VA-1", date(2026, 7, 1))

    assert row.base_rate == Decimal("400.00")


def test_demo_crosswalk(demo_catalog: Catalog) -> None:
    bronze_2026 = demo_catalog.plan("12345VA0010001", 2026)
    silver_2026 = demo_catalog.plan("12345VA0020001", 2026)

    assert demo_catalog.crosswalk_target(bronze_2026) == demo_catalog.plan("12345VA0010002", 2027)
    assert demo_catalog.crosswalk_target(silver_2026) == demo_catalog.plan("12345VA0020001", 2027)


def test_demo_plan_settings(demo_catalog: Catalog) -> None:
    group = demo_catalog.plan("12345VA0050001", 2026)
    off_exchange = demo_catalog.plan("12345VA0040001", 2026)

    assert group.market is Market.SMALL_GROUP
    assert group.age_basis is AgeBasis.PLAN_YEAR_START
    assert group.proration_method is ProrationMethod.SIXTEENTH_RULE_TERM
    assert off_exchange.exchange is ExchangeStatus.OFF
    assert off_exchange.grace_rule_set == "va-individual-off-exchange"


def test_minimal_catalog_parses() -> None:
    catalog, errors = parse_catalog_text(MINIMAL)

    assert errors == []
    assert catalog is not None
    assert catalog.plan("12345VA0020001", 2026).ehb_share == Decimal("0.995")


def test_decimals_read_exactly() -> None:
    catalog, _ = parse_catalog_text(MINIMAL.replace("ehb_share: 0.995", "ehb_share: 0.9951"))

    assert catalog is not None
    # The YAML text 0.9951 becomes Decimal("0.9951"), never a float's 0.99509999...
    assert catalog.plan("12345VA0020001", 2026).ehb_share == Decimal("0.9951")


def test_zip_leading_zero_kept() -> None:
    text = MINIMAL.replace('zip3: ["232"]', "zip3: [023]")

    catalog, errors = parse_catalog_text(text)

    assert errors == []
    assert catalog is not None
    assert catalog.area("VA-2").zip3 == frozenset({"023"})


def test_content_hash_stable() -> None:
    first, _ = parse_catalog_text(MINIMAL)
    reformatted, _ = parse_catalog_text(
        "# a comment\n" + MINIMAL.replace("base_rate: 400.00", "base_rate: 400.0").replace("0.995", "0.9950")
    )

    assert first is not None and reformatted is not None
    assert first.content_hash() == reformatted.content_hash()


def test_content_hash_row_order() -> None:
    head, rows = MINIMAL.split("  - rows:\n")
    first_row, second_row = rows.split("      - ")[1:]
    swapped = f"{head}  - rows:\n      - {second_row}      - {first_row}"

    first, _ = parse_catalog_text(MINIMAL)
    second, _ = parse_catalog_text(swapped)

    assert first is not None and second is not None
    assert first.content_hash() == second.content_hash()


def test_content_hash_changes_with_rate() -> None:
    first, _ = parse_catalog_text(MINIMAL)
    changed, _ = parse_catalog_text(MINIMAL.replace("base_rate: 400.00", "base_rate: 400.01"))

    assert first is not None and changed is not None
    assert first.content_hash() != changed.content_hash()


def test_all_errors_collected() -> None:
    text = (
        MINIMAL.replace("ehb_share: 0.995", "ehb_share: 1.2")
        .replace("metal_level: silver", "metal_level: titanium")
        .replace('  VA: "1.5"', '  VA: "1.7"')
    )

    errors = errors_for(text)

    fields = {error.field for error in errors}
    assert "plans[0].metal_level" in fields
    assert "tobacco_caps.VA" in fields
    metal = next(error for error in errors if error.field == "plans[0].metal_level")
    assert metal.line == line_of(text, "metal_level: titanium")
    assert "silver" in str(metal.hint)


def test_ehb_share_error_line() -> None:
    text = MINIMAL.replace("ehb_share: 0.995", "ehb_share: 1.2")

    error = only_error(errors_for(text))

    assert error.field == "plans[0].ehb_share"
    assert error.line == line_of(text, "ehb_share: 1.2")
    assert error.file == "test.yaml"


def test_tobacco_above_state_cap() -> None:
    text = MINIMAL.replace('  VA: "1.5"', '  VA: "1.15"')

    error = only_error(errors_for(text))

    assert "above the state cap of 1.15" in error.message
    assert error.line == line_of(text, "tobacco_factor: 1.20")


def test_unknown_product() -> None:
    text = MINIMAL.replace("    product: 12345VA002", "    product: 12345VA009")

    error = only_error(errors_for(text))

    # The rejected plan's rate rows are not reported again as rows for an unknown plan.
    assert error.field == "plans[0].product"
    assert "12345VA009" in error.message


def test_on_exchange_needs_hios_id() -> None:
    text = MINIMAL.replace("  - id: 12345VA0020001", "  - id: SILVER-2026")

    errors = errors_for(text)

    assert errors[0].field == "plans[0].id"
    assert "HIOS" in errors[0].message


def test_missing_required_key() -> None:
    text = MINIMAL.replace("    market: individual\n", "")

    errors = errors_for(text)

    assert errors[0].field == "plans[0].market"
    assert "missing" in errors[0].message


def test_unknown_and_duplicate_keys() -> None:
    text = MINIMAL.replace(
        "    tobacco_factor: 1.20\n", "    tobacco_factor: 1.20\n    colour: blue\n    plan_year: 2027\n"
    )

    errors = errors_for(text)

    messages = [error.message for error in errors]
    assert "unknown key 'colour'." in messages
    assert "key 'plan_year' appears twice." in messages


def test_invalid_yaml_reports_line() -> None:
    text = MINIMAL.replace("    metal_level: silver", "    metal_level: [silver")

    error = only_error(errors_for(text))

    assert error.field == "file"
    assert error.line is not None


def test_empty_file() -> None:
    error = only_error(errors_for(""))

    assert "empty" in error.message


def test_inline_rate_gap() -> None:
    text = MINIMAL.replace(
        "area: VA-2, effective_start: 2026-01-01, effective_end: 2026-12-31",
        "area: VA-2, effective_start: 2026-01-01, effective_end: 2026-11-30",
    )

    error = only_error(errors_for(text))

    assert "VA-2" in error.message
    assert "2026-12-01..2026-12-31" in error.message


def test_rate_for_unknown_area() -> None:
    text = MINIMAL.replace("area: VA-2", "area: VA-7")

    errors = errors_for(text)

    assert errors[0].field == "rate_tables[0].rows[1].rating_area"
    assert errors[0].line == line_of(text, "area: VA-7")


def test_county_in_two_areas() -> None:
    text = MINIMAL.replace("counties: [Henrico County]", "counties: [Henrico County, fairfax county]")

    error = only_error(errors_for(text))

    assert "in both rating areas VA-1 and VA-2" in error.message


def test_crosswalk_target_missing() -> None:
    text = MINIMAL.replace(
        "    tobacco_factor: 1.20\n", "    tobacco_factor: 1.20\n    crosswalk_to: 12345VA0020009\n"
    )

    error = only_error(errors_for(text))

    assert "12345VA0020009" in error.message
    assert "2027" in error.message


def test_plan_without_rates() -> None:
    text = MINIMAL.split("rate_tables:")[0] + "rate_tables: []\n"

    error = only_error(errors_for(text))

    assert error.message == "the plan has no rates."


def test_state_age_curve_loaded() -> None:
    curve = """age_curves:
  dc-test:
    "0-20": "0.654"
    "21-63": "0.727"
    "64+": "2.181"
"""
    text = MINIMAL.replace("rating_areas:", curve + "rating_areas:").replace(
        "    tobacco_factor: 1.20\n", "    tobacco_factor: 1.20\n    age_curve: dc-test\n"
    )

    catalog, errors = parse_catalog_text(text)

    assert errors == []
    assert catalog is not None
    assert catalog.rules.age_curves["dc-test"].factor_for(70) == Decimal("2.181")


def test_state_age_curve_gap() -> None:
    curve = """age_curves:
  gappy:
    "0-20": "0.654"
    "22-63": "0.727"
    "64+": "2.181"
"""
    text = MINIMAL.replace("rating_areas:", curve + "rating_areas:")

    error = only_error(errors_for(text))

    assert error.field == "age_curves.gappy"
    assert "no factor for ages 21" in error.message
    assert error.line == line_of(text, '"0-20"')


def test_unknown_age_curve() -> None:
    text = MINIMAL.replace("    tobacco_factor: 1.20\n", "    tobacco_factor: 1.20\n    age_curve: nowhere\n")

    error = only_error(errors_for(text))

    assert error.field == "plans[0].age_curve"
    assert "federal-default-2018" in str(error.hint)


def test_family_tier_table_loaded() -> None:
    tiers = """family_tier_tables:
  ny-test:
    single_adult: "1.00"
    two_adults: "2.00"
    adult_with_children: "1.70"
    two_adults_with_children: "2.85"
"""
    text = MINIMAL.replace("rating_areas:", tiers + "rating_areas:")

    catalog, errors = parse_catalog_text(text)

    assert errors == []
    assert catalog is not None
    assert catalog.rules.family_tier_tables["ny-test"].two_adults_with_children == Decimal("2.85")


CSV_CATALOG = MINIMAL.split("rate_tables:")[0] + "rate_tables:\n  - file: rates.csv\n"
CSV_HEADER = "plan_id,rating_area,effective_start,effective_end,base_rate\n"


def test_csv_rates(tmp_path: Path) -> None:
    (tmp_path / "rates.csv").write_text(
        CSV_HEADER
        + "12345VA0020001,VA-1,2026-01-01,2026-06-30,400.00\n"
        + "12345VA0020001,VA-1,2026-07-01,2026-12-31,410.00\n"
        + "12345VA0020001,VA-2,2026-01-01,,380.00\n"
    )
    (tmp_path / "catalog.yaml").write_text(CSV_CATALOG)

    catalog, errors = parse_catalog_file(tmp_path / "catalog.yaml")

    assert errors == []
    assert catalog is not None
    assert len(catalog.rates.rows) == 3


def test_csv_with_byte_order_mark(tmp_path: Path) -> None:
    rows = (
        "12345VA0020001,VA-1,2026-01-01,2026-12-31,400.00\n12345VA0020001,VA-2,2026-01-01,2026-12-31,380.00\n"
    )
    (tmp_path / "rates.csv").write_bytes(("\ufeff" + CSV_HEADER + rows).encode("utf-8"))

    catalog, errors = parse_catalog_text(CSV_CATALOG, base_dir=tmp_path)

    assert errors == []
    assert catalog is not None


def test_csv_errors_name_file_and_line(tmp_path: Path) -> None:
    csv_path = tmp_path / "rates.csv"
    csv_path.write_text(
        CSV_HEADER
        + "12345VA0020001,VA-1,2026-01-01,2026-12-31,400.00\n"
        + "12345VA0020001,VA-2,2026-13-01,2026-12-31,380.00\n"
        + "12345VA0020001,VA-2,2026-01-01,2026-12-31,-5.00\n"
        + "12345VA0020009,VA-1,2026-01-01,2026-12-31,400.00\n"
        + "12345VA0020001,VA-1,2026-01-01\n"
    )

    errors = errors_for(CSV_CATALOG, tmp_path)

    by_line = {error.line: error for error in errors if error.file == str(csv_path)}
    assert "not a valid date" in by_line[3].message
    assert "negative" in by_line[4].message
    assert "12345VA0020009" in by_line[5].message
    assert "cells" in by_line[6].message
    assert len(errors) == 4


def test_csv_overlap(tmp_path: Path) -> None:
    csv_path = tmp_path / "rates.csv"
    csv_path.write_text(
        CSV_HEADER
        + "12345VA0020001,VA-1,2026-01-01,2026-06-30,400.00\n"
        + "12345VA0020001,VA-1,2026-06-01,2026-12-31,410.00\n"
        + "12345VA0020001,VA-2,2026-01-01,2026-12-31,380.00\n"
    )

    error = only_error(errors_for(CSV_CATALOG, tmp_path))

    assert error.file == str(csv_path)
    assert error.line == 3
    assert "overlaps 2026-01-01..2026-06-30" in error.message
    assert "line 2" in error.message


def test_csv_bad_header(tmp_path: Path) -> None:
    (tmp_path / "rates.csv").write_text("plan,area,start,end,rate\n")

    errors = errors_for(CSV_CATALOG, tmp_path)

    assert errors[0].field == "header"
    assert errors[0].line == 1


def test_csv_missing_file(tmp_path: Path) -> None:
    errors = errors_for(CSV_CATALOG, tmp_path)

    assert errors[0].field == "rate_tables[0].file"
    assert errors[0].line == line_of(CSV_CATALOG, "file: rates.csv")
    assert errors[0].file == "test.yaml"


def test_rate_outside_plan_years(tmp_path: Path) -> None:
    (tmp_path / "rates.csv").write_text(
        CSV_HEADER
        + "12345VA0020001,VA-1,2026-01-01,2026-12-31,400.00\n"
        + "12345VA0020001,VA-2,2026-01-01,2026-12-31,380.00\n"
        + "12345VA0020001,VA-1,2028-01-01,2028-12-31,420.00\n"
    )

    error = only_error(errors_for(CSV_CATALOG, tmp_path))

    assert error.line == 4
    assert "falls in no plan year" in error.message


def test_error_text_form() -> None:
    error = CatalogError("rates.csv", 4, "row.base_rate", "base rate is negative.", "Use zero or more.")

    assert str(error) == "rates.csv:4: row.base_rate: base rate is negative. Use zero or more."
    assert error.to_dict()["line"] == 4


def test_unreadable_catalog(tmp_path: Path) -> None:
    catalog, errors = parse_catalog_file(tmp_path / "missing.yaml")

    assert catalog is None
    assert errors[0].field == "file"


def test_find_area_by_zip_and_county() -> None:
    catalog, _ = parse_catalog_text(MINIMAL)
    assert catalog is not None

    assert catalog.find_area("VA", zip_code="22030").area_id == "VA-1"
    assert catalog.find_area("VA", county="HENRICO COUNTY").area_id == "VA-2"
    assert catalog.find_area("VA", zip_code="23219").area_id == "VA-2"


def test_find_area_missing() -> None:
    catalog, _ = parse_catalog_text(MINIMAL)
    assert catalog is not None

    with pytest.raises(NotFoundError):
        catalog.find_area("VA", zip_code="24000")


def test_zip3_in_two_areas() -> None:
    text = MINIMAL.replace('    zip5: ["22030"]\n', '    zip3: ["232"]\n')

    error = only_error(errors_for(text))

    assert "zip3 '232' is in both rating areas VA-1 and VA-2" in error.message


def test_find_area_county_before_zip3() -> None:
    catalog, _ = parse_catalog_text(MINIMAL)
    assert catalog is not None

    # ZIP 23219 falls under VA-2's prefix 232, but the county names VA-1
    assert catalog.find_area("VA", zip_code="23219", county="Fairfax County").area_id == "VA-1"


def shared_zip_catalog(demo_catalog: Catalog) -> Catalog:
    """A catalog built without file checks, where two areas list the same ZIP code."""
    return Catalog(
        carrier="Shared ZIP",
        products=(),
        plans=(),
        rating_areas=(
            RatingArea("VA-X", "VA", counties=frozenset({"Henrico County"}), zip5=frozenset({"22030"})),
            RatingArea("VA-Y", "VA", counties=frozenset({"Loudoun County"}), zip5=frozenset({"22030"})),
        ),
        rates=demo_catalog.rates,
    )


def test_find_area_ambiguous_zip(demo_catalog: Catalog) -> None:
    with pytest.raises(ConflictError) as raised:
        shared_zip_catalog(demo_catalog).find_area("VA", zip_code="22030")

    assert "VA-X, VA-Y" in raised.value.message
    assert "county" in str(raised.value.hint)


def test_find_area_county_decides(demo_catalog: Catalog) -> None:
    catalog = shared_zip_catalog(demo_catalog)

    assert catalog.find_area("VA", zip_code="22030", county="Loudoun County").area_id == "VA-Y"
