"""Parse and validate a YAML rating catalog, with rate tables inline or in CSV files.

:func:`parse_catalog_file` returns ``(catalog, errors)``. It never stops at the first
problem: every error is collected with its file, line, field, message and hint, and the
catalog is None whenever there is at least one error, so a half-valid catalog is never
loaded. Storing the catalog is the loader's job; this module reads files and nothing else.

File layout (see ``data/demo-catalog.yaml`` for a full example)::

    carrier: Demo Health Plan of Virginia
    tobacco_caps: {VA: "1.5"}
    defaults: {proration_method: actual_days, grace_rule_set: va-individual}
    age_curves: {my-curve: {"0-20": "0.654", "21": "0.727", ..., "64+": "2.181"}}
    family_tier_tables: {my-tiers: {single_adult: "1.00", two_adults: "2.00", ...}}
    child_cap: {max_charged: 3, age_limit: 21}
    rating_areas: [{id: VA-1, state: VA, counties: [Arlington County], zip3: [], zip5: []}]
    products: [{id: 12345VA001, name: Demo Bronze HMO, state: VA}]
    plans: [{id: 12345VA0010001, plan_year: 2026, product: 12345VA001, ...}]
    rate_tables:
      - file: demo-rates.csv          # relative to the YAML file
      - rows: [{plan: ..., area: ..., effective_start: ..., effective_end: ..., base_rate: "400.00"}]
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from premia.kernel.errors import DomainError
from premia.rating.age_curves import BUILT_IN_CURVES, AgeBand, AgeCurve, parse_band_label
from premia.rating.catalog import Catalog
from premia.rating.catalog_nodes import CatalogError, NodeReader, line_of
from premia.rating.catalog_rates import CatalogParts, Origin, check_crosswalks, check_rates, parse_rate_tables
from premia.rating.engine import RatingRules
from premia.rating.model import (
    BUILT_IN_FAMILY_TIERS,
    FEDERAL_DEFAULT_CURVE,
    FEDERAL_TOBACCO_CAP,
    AgeBasis,
    ChildCap,
    ExchangeStatus,
    FamilyTier,
    FamilyTierTable,
    Market,
    MetalLevel,
    Plan,
    Product,
    ProrationMethod,
    RatingArea,
    RatingMethod,
    TobaccoRule,
    check_state,
)
from premia.rating.rates import RateTable

TOP_LEVEL_KEYS = (
    "carrier",
    "tobacco_caps",
    "defaults",
    "age_curves",
    "family_tier_tables",
    "child_cap",
    "rating_areas",
    "products",
    "plans",
    "rate_tables",
)
DEFAULT_KEYS = ("proration_method", "grace_rule_set", "age_curve", "rating_method", "age_basis")
PLAN_REQUIRED = ("id", "plan_year", "product", "market", "exchange", "metal_level", "ehb_share")
PLAN_OPTIONAL = ("name", "state", "tobacco_factor", "family_tier_table", "crosswalk_to", *DEFAULT_KEYS)

# Small-group rates are held from the group's plan-year start; individual rates use the
# policy's effective or renewal date.
DEFAULT_AGE_BASIS = {
    Market.INDIVIDUAL: AgeBasis.EFFECTIVE_DATE,
    Market.SMALL_GROUP: AgeBasis.PLAN_YEAR_START,
    Market.LARGE_GROUP: AgeBasis.PLAN_YEAR_START,
}


def parse_catalog_file(path: Path | str) -> tuple[Catalog | None, list[CatalogError]]:
    """Parse a catalog YAML file; CSV rate files are read relative to its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        return None, [CatalogError(str(path), None, "file", f"cannot read the catalog: {exc.strerror}.")]
    return parse_catalog_text(text, source=str(path), base_dir=path.parent)


def parse_catalog_text(
    text: str, *, source: str = "<catalog>", base_dir: Path | None = None
) -> tuple[Catalog | None, list[CatalogError]]:
    """Parse catalog YAML text; ``base_dir`` is where CSV rate files are looked up."""
    reader = NodeReader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        return None, [CatalogError(source, line, "file", f"invalid YAML: {exc.problem or exc}.")]
    if root is None:
        return None, [CatalogError(source, None, "file", "the catalog file is empty.")]

    sections = reader.mapping(
        root, "catalog", required=("carrier", "plans", "rate_tables"), optional=TOP_LEVEL_KEYS
    )
    if sections is None:
        return None, reader.errors

    parts = CatalogParts()
    parts.carrier = reader.text(sections.get("carrier"), "carrier") or ""
    _parse_tobacco_caps(reader, sections.get("tobacco_caps"), parts)
    _parse_defaults(reader, sections.get("defaults"), parts)
    _parse_age_curves(reader, sections.get("age_curves"), parts)
    _parse_tier_tables(reader, sections.get("family_tier_tables"), parts)
    _parse_child_cap(reader, sections.get("child_cap"), parts)
    _parse_areas(reader, sections.get("rating_areas"), parts)
    _parse_products(reader, sections.get("products"), parts)
    _parse_plans(reader, sections.get("plans"), parts)
    parse_rate_tables(reader, sections.get("rate_tables"), parts, base_dir or Path("."))
    check_crosswalks(reader, parts)
    check_rates(reader, parts)

    if reader.errors:
        return None, reader.errors
    catalog = Catalog(
        carrier=parts.carrier,
        products=tuple(product for product, _ in parts.products.values()),
        plans=tuple(plan for plan, _ in parts.plans.values()),
        rating_areas=tuple(area for area, _ in parts.areas.values()),
        rates=RateTable(tuple(row for row, _ in parts.rates)),
        rules=RatingRules(
            age_curves=parts.age_curves,
            family_tier_tables=parts.tier_tables,
            tobacco_caps=parts.tobacco_caps,
            child_cap=parts.child_cap,
        ),
    )
    return catalog, []


def _parse_tobacco_caps(reader: NodeReader, node: yaml.Node | None, parts: CatalogParts) -> None:
    if node is None:
        return
    caps = reader.mapping(node, "tobacco_caps", open_keys=True) or {}
    for state, value_node in caps.items():
        path = f"tobacco_caps.{state}"
        try:
            check_state(path, state)
        except DomainError as exc:
            reader.domain_error(exc, line_of(value_node), "tobacco_caps")
            continue
        cap = reader.decimal(value_node, path)
        if cap is None:
            continue
        if not Decimal(1) <= cap <= FEDERAL_TOBACCO_CAP:
            reader.error(
                line_of(value_node),
                path,
                f"tobacco cap {cap} is outside 1 to {FEDERAL_TOBACCO_CAP}.",
                "Federal law allows at most 1.5; use 1 for states that forbid a surcharge.",
            )
            continue
        parts.tobacco_caps[state] = cap


def _parse_defaults(reader: NodeReader, node: yaml.Node | None, parts: CatalogParts) -> None:
    if node is not None:
        parts.defaults = reader.mapping(node, "defaults", optional=DEFAULT_KEYS) or {}


def _parse_age_curves(reader: NodeReader, node: yaml.Node | None, parts: CatalogParts) -> None:
    if node is None:
        return
    curves = reader.mapping(node, "age_curves", open_keys=True) or {}
    for name, curve_node in curves.items():
        path = f"age_curves.{name}"
        if name in BUILT_IN_CURVES:
            reader.error(
                line_of(curve_node),
                path,
                f"{name!r} is a built-in curve.",
                "Give the state curve its own name.",
            )
            continue
        band_nodes = reader.mapping(curve_node, path, open_keys=True)
        if band_nodes is None:
            continue
        bands: list[AgeBand] = []
        for label, factor_node in band_nodes.items():
            factor = reader.decimal(factor_node, f"{path}.{label}")
            if factor is None:
                continue
            try:
                bands.append(parse_band_label(label, factor))
            except DomainError as exc:
                reader.error(line_of(factor_node), f"{path}.{label}", exc.message, exc.hint)
        if len(bands) != len(band_nodes):
            continue
        try:
            parts.age_curves[name] = AgeCurve(name, tuple(bands))
        except DomainError as exc:
            reader.error(line_of(curve_node), path, exc.message, exc.hint)


def _parse_tier_tables(reader: NodeReader, node: yaml.Node | None, parts: CatalogParts) -> None:
    if node is None:
        return
    tables = reader.mapping(node, "family_tier_tables", open_keys=True) or {}
    required = [tier.value for tier in FamilyTier if tier is not FamilyTier.CHILD_ONLY]
    for name, table_node in tables.items():
        path = f"family_tier_tables.{name}"
        if name in BUILT_IN_FAMILY_TIERS:
            reader.error(
                line_of(table_node), path, f"{name!r} is a built-in table.", "Give the table its own name."
            )
            continue
        values = reader.mapping(table_node, path, required=required, optional=[FamilyTier.CHILD_ONLY.value])
        if values is None:
            continue
        read = {key: reader.decimal(value, f"{path}.{key}") for key, value in values.items()}
        multipliers = {key: value for key, value in read.items() if value is not None}
        if len(multipliers) != len(read) or any(key not in multipliers for key in required):
            continue
        try:
            parts.tier_tables[name] = FamilyTierTable(
                name=name,
                single_adult=multipliers[FamilyTier.SINGLE_ADULT.value],
                two_adults=multipliers[FamilyTier.TWO_ADULTS.value],
                adult_with_children=multipliers[FamilyTier.ADULT_WITH_CHILDREN.value],
                two_adults_with_children=multipliers[FamilyTier.TWO_ADULTS_WITH_CHILDREN.value],
                child_only=multipliers.get(FamilyTier.CHILD_ONLY.value),
            )
        except DomainError as exc:
            reader.domain_error(exc, line_of(table_node), path)


def _parse_child_cap(reader: NodeReader, node: yaml.Node | None, parts: CatalogParts) -> None:
    if node is None:
        return
    values = reader.mapping(node, "child_cap", required=("max_charged", "age_limit"))
    if values is None:
        return
    max_charged = reader.integer(values.get("max_charged"), "child_cap.max_charged")
    age_limit = reader.integer(values.get("age_limit"), "child_cap.age_limit")
    if max_charged is None or age_limit is None:
        return
    try:
        parts.child_cap = ChildCap(max_charged, age_limit)
    except DomainError as exc:
        reader.domain_error(exc, line_of(node), "child_cap")


def _parse_areas(reader: NodeReader, node: yaml.Node | None, parts: CatalogParts) -> None:
    claimed: dict[tuple[str, str, str], str] = {}
    for path, area_node in reader.items(node, "rating_areas"):
        values = reader.mapping(
            area_node, path, required=("id", "state"), optional=("name", "counties", "zip3", "zip5")
        )
        if values is None:
            continue
        area_id = reader.text(values.get("id"), f"{path}.id")
        state = reader.text(values.get("state"), f"{path}.state")
        lists = {
            key: reader.text_list(values.get(key), f"{path}.{key}") for key in ("counties", "zip3", "zip5")
        }
        if area_id is None or state is None:
            continue
        if area_id in parts.areas:
            reader.error(line_of(area_node), f"{path}.id", f"rating area {area_id!r} is defined twice.")
            continue
        try:
            area = RatingArea(
                area_id=area_id,
                state=state,
                name=reader.text(values.get("name"), f"{path}.name") or "",
                counties=frozenset(lists["counties"]),
                zip3=frozenset(lists["zip3"]),
                zip5=frozenset(lists["zip5"]),
            )
        except DomainError as exc:
            reader.domain_error(exc, line_of(area_node), path)
            parts.rejected_area_ids.add(area_id)
            continue
        parts.areas[area_id] = (area, Origin(reader.file, line_of(area_node)))

        for kind, codes in (("county", area.counties), ("zip3", area.zip3), ("zip5", area.zip5)):
            for code in sorted(codes):
                other = claimed.setdefault((state, kind, code), area_id)
                if other != area_id:
                    reader.error(
                        line_of(area_node),
                        f"{path}.{'counties' if kind == 'county' else kind}",
                        f"{kind} {code!r} is in both rating areas {other} and {area_id}.",
                        "Assign each county or ZIP code to one rating area.",
                    )


def _parse_products(reader: NodeReader, node: yaml.Node | None, parts: CatalogParts) -> None:
    for path, product_node in reader.items(node, "products"):
        values = reader.mapping(product_node, path, required=("id", "name", "state"))
        if values is None:
            continue
        product_id = reader.text(values.get("id"), f"{path}.id")
        name = reader.text(values.get("name"), f"{path}.name")
        state = reader.text(values.get("state"), f"{path}.state")
        if product_id is None or name is None or state is None:
            continue
        if product_id in parts.products:
            reader.error(line_of(product_node), f"{path}.id", f"product {product_id!r} is defined twice.")
            continue
        try:
            parts.products[product_id] = (
                Product(product_id, name, state),
                Origin(reader.file, line_of(product_node)),
            )
        except DomainError as exc:
            reader.domain_error(exc, line_of(product_node), path)


def _parse_plans(reader: NodeReader, node: yaml.Node | None, parts: CatalogParts) -> None:
    for path, plan_node in reader.items(node, "plans"):
        values = reader.mapping(plan_node, path, required=PLAN_REQUIRED, optional=PLAN_OPTIONAL)
        if values is None:
            continue
        plan = _build_plan(reader, path, plan_node, values, parts)
        if plan is None:
            plan_id = values.get("id")
            if isinstance(plan_id, yaml.ScalarNode):
                parts.rejected_plan_ids.add(str(plan_id.value).strip())
            continue
        if plan.key in parts.plans:
            reader.error(line_of(plan_node), f"{path}.id", f"{plan.record} is defined twice.")
            continue
        parts.plans[plan.key] = (plan, Origin(reader.file, line_of(plan_node)))


def _setting(values: dict[str, yaml.Node], parts: CatalogParts, key: str) -> tuple[yaml.Node | None, str]:
    """Return a plan setting's node, falling back to the catalog defaults, and its path."""
    if key in values:
        return values[key], key
    return parts.defaults.get(key), f"defaults.{key}"


def _build_plan(
    reader: NodeReader, path: str, plan_node: yaml.Node, values: dict[str, yaml.Node], parts: CatalogParts
) -> Plan | None:
    def field_path(key: str) -> str:
        return f"{path}.{key}"

    plan_id = reader.text(values.get("id"), field_path("id"))
    plan_year = reader.integer(values.get("plan_year"), field_path("plan_year"))
    product_id = reader.text(values.get("product"), field_path("product"))
    market = reader.choice(values.get("market"), field_path("market"), Market)
    exchange = reader.choice(values.get("exchange"), field_path("exchange"), ExchangeStatus)
    metal_level = reader.choice(values.get("metal_level"), field_path("metal_level"), MetalLevel)
    ehb_share = reader.decimal(values.get("ehb_share"), field_path("ehb_share"))
    tobacco_factor = reader.decimal(values.get("tobacco_factor"), field_path("tobacco_factor"))

    settings = {key: _setting(values, parts, key) for key in DEFAULT_KEYS}
    proration = reader.choice(
        settings["proration_method"][0], settings["proration_method"][1], ProrationMethod
    )
    rating_method = reader.choice(settings["rating_method"][0], settings["rating_method"][1], RatingMethod)
    age_basis = reader.choice(settings["age_basis"][0], settings["age_basis"][1], AgeBasis)
    age_curve = reader.text(settings["age_curve"][0], settings["age_curve"][1]) or FEDERAL_DEFAULT_CURVE
    grace_rule_set = reader.text(settings["grace_rule_set"][0], settings["grace_rule_set"][1])

    if plan_id is None or plan_year is None or product_id is None or ehb_share is None:
        return None
    if market is None or exchange is None or metal_level is None:
        return None

    entry = parts.products.get(product_id)
    if entry is None:
        reader.error(
            line_of(values["product"]),
            field_path("product"),
            f"product {product_id!r} is not defined.",
            "Add it under products, or correct the id.",
        )
        return None
    product = entry[0]
    state = reader.text(values.get("state"), field_path("state")) or product.state
    if state != product.state:
        reader.error(
            line_of(values["state"]),
            field_path("state"),
            f"plan state {state} differs from its product's state {product.state}.",
        )
        return None

    if grace_rule_set is None:
        reader.error(
            line_of(plan_node),
            field_path("grace_rule_set"),
            "no grace rule set is named.",
            "Name one on the plan or under defaults.grace_rule_set.",
        )
        return None

    try:
        plan = Plan(
            plan_id=plan_id,
            plan_year=plan_year,
            product_id=product_id,
            name=reader.text(values.get("name"), field_path("name")) or product.name,
            state=state,
            market=market,
            exchange=exchange,
            metal_level=metal_level,
            ehb_share=ehb_share,
            proration_method=proration or ProrationMethod.ACTUAL_DAYS,
            grace_rule_set=grace_rule_set,
            rating_method=rating_method or RatingMethod.PER_MEMBER,
            age_basis=age_basis or DEFAULT_AGE_BASIS[market],
            age_curve=age_curve,
            tobacco_factor=tobacco_factor if tobacco_factor is not None else Decimal(1),
            family_tier_table=reader.text(values.get("family_tier_table"), field_path("family_tier_table")),
            crosswalk_plan_id=reader.text(values.get("crosswalk_to"), field_path("crosswalk_to")),
        )
    except DomainError as exc:
        line = line_of(values[exc.field]) if exc.field in values else line_of(plan_node)
        reader.domain_error(exc, line, path)
        return None

    return plan if _check_plan_rules(reader, path, values, plan_node, plan, parts) else None


def _check_plan_rules(
    reader: NodeReader,
    path: str,
    values: dict[str, yaml.Node],
    plan_node: yaml.Node,
    plan: Plan,
    parts: CatalogParts,
) -> bool:
    """Check the plan's references to rule tables: age curve, tier table and tobacco cap."""
    valid = True
    if plan.rating_method is not RatingMethod.FAMILY_TIER and plan.age_curve not in parts.age_curves:
        node, key = _setting(values, parts, "age_curve")
        reader.error(
            line_of(node) if node is not None else line_of(plan_node),
            f"{path}.{key}" if key == "age_curve" else key,
            f"age curve {plan.age_curve!r} is not defined.",
            f"Known curves: {', '.join(sorted(parts.age_curves))}.",
        )
        valid = False
    if plan.family_tier_table is not None and plan.family_tier_table not in parts.tier_tables:
        reader.error(
            line_of(values["family_tier_table"]),
            f"{path}.family_tier_table",
            f"family tier table {plan.family_tier_table!r} is not defined.",
            f"Known tables: {', '.join(sorted(parts.tier_tables))}.",
        )
        valid = False
    try:
        TobaccoRule(plan.tobacco_factor, parts.tobacco_caps.get(plan.state, FEDERAL_TOBACCO_CAP), plan.state)
    except DomainError as exc:
        node = values.get("tobacco_factor", plan_node)
        reader.domain_error(exc, line_of(node), path)
        valid = False
    return valid


__all__ = ["CatalogError", "parse_catalog_file", "parse_catalog_text"]
