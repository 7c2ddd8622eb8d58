"""The extract contract of ../shared/spec/extracts.md as data.

Ingestion, the synthetic generator, the raw-zone views that dbt reads and the Great Expectations
suites are all derived from these definitions, so a change to the contract is made here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Logical types of the contract and the SQL type each is stored as in the raw zone.
SQL_TYPES = {
    "string": "varchar",
    "enum": "varchar",
    "timestamp": "timestamp",  # UTC, no offset: converted on ingestion
    "date": "date",
    "boolean": "boolean",
    "decimal": "double",
    "integer": "bigint",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    required: bool = False
    enum: tuple[str, ...] = ()
    # inclusive lower bound, and whether the bound itself is allowed (quantity > 0 is not >= 0)
    minimum: float | None = None
    minimum_inclusive: bool = True
    maximum: float | None = None
    # the column this one may not be earlier than (ended_on >= started_on, ...)
    not_before: str | None = None
    # an ISO code of this many letters (country 2, currency 3): stored upper-case, and the share of
    # well-formed codes in a batch is profiled (quality/drift.py), never a row error
    code_letters: int | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def upper(self) -> bool:
        """Codes are stored upper-case (`pl` and `PL` are one country)."""
        return self.code_letters is not None


@dataclass(frozen=True)
class Entity:
    source: str
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # which column orders versions of the same key (latest wins); None: the later batch wins
    version_column: str | None = None
    # a rejected batch of a required entity blocks publishing (quality.md)
    required: bool = False
    # extra range rules that depend on another column (survey score by survey_type)
    score_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def raw_table(self) -> str:
        """Name of the raw-zone view dbt reads: raw.<source>__<entity>."""
        return f"{self.source}__{self.name}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, type_: str = "string", **kw) -> Column:
    return Column(name, type_, **kw)


CHANNELS_MARKETING = (
    "email",
    "paid_search",
    "paid_social",
    "display",
    "organic_social",
    "referral",
    "event",
    "affiliate",
)
MARKETING_EVENT_TYPES = (
    "impression",
    "ad_click",
    "email_sent",
    "email_open",
    "email_click",
    "web_visit",
    "form_submit",
    "signup",
    "unsubscribe",
)
SURVEY_TOUCHPOINTS = (
    "website",
    "purchase",
    "delivery",
    "onboarding",
    "support",
    "billing",
    "returns",
    "relationship",
)
SURVEY_SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

ENTITIES: tuple[Entity, ...] = (
    Entity(
        "crm",
        "customers",
        (
            _c("customer_id", required=True),
            _c("email"),
            _c("phone"),
            _c("first_name"),
            _c("last_name"),
            _c("country", code_letters=2),
            _c("segment", "enum", enum=("consumer", "smb", "enterprise")),
            _c("marketing_consent", "boolean"),
            _c("created_at", "timestamp", required=True),
            _c("updated_at", "timestamp", required=True),
        ),
        key=("customer_id",),
        version_column="updated_at",
        required=True,
    ),
    Entity(
        "crm",
        "activities",
        (
            _c("activity_id", required=True),
            _c("customer_id", required=True),
            _c(
                "activity_type",
                "enum",
                required=True,
                enum=("call", "meeting", "email", "visit", "follow_up"),
            ),
            _c("occurred_at", "timestamp", required=True),
            _c("owner"),
            _c("outcome"),
        ),
        key=("activity_id",),
    ),
    Entity(
        "marketing",
        "campaigns",
        (
            _c("campaign_id", required=True),
            _c("campaign_name", required=True),
            _c("channel", "enum", required=True, enum=CHANNELS_MARKETING),
            _c("started_on", "date", required=True),
            _c("ended_on", "date", not_before="started_on"),
            _c("budget", "decimal", minimum=0),
        ),
        key=("campaign_id",),
    ),
    Entity(
        "marketing",
        "events",
        (
            _c("event_id", required=True),
            _c("event_type", "enum", required=True, enum=MARKETING_EVENT_TYPES),
            _c("occurred_at", "timestamp", required=True),
            _c("campaign_id"),
            _c("contact_email"),
            _c("anonymous_id"),
            _c("crm_customer_id"),
            _c("utm_source"),
            _c("utm_medium"),
            _c("cost", "decimal", minimum=0),
        ),
        key=("event_id",),
    ),
    Entity(
        "sales",
        "customers",
        (
            _c("customer_number", required=True),
            _c("email"),
            _c("phone"),
            _c("full_name"),
            _c("country", code_letters=2),
            _c("crm_customer_id"),
            _c("created_at", "timestamp", required=True),
            _c("updated_at", "timestamp", required=True),
        ),
        key=("customer_number",),
        version_column="updated_at",
        required=True,
    ),
    Entity(
        "sales",
        "orders",
        (
            _c("order_id", required=True),
            _c("customer_number", required=True),
            _c("ordered_at", "timestamp", required=True),
            _c("sales_channel", "enum", required=True, enum=("web", "app", "store", "phone", "partner")),
            _c(
                "status",
                "enum",
                required=True,
                enum=("placed", "shipped", "delivered", "cancelled", "returned"),
            ),
            _c("currency", required=True, code_letters=3),
            _c("order_total", "decimal", required=True, minimum=0),
            _c("promised_delivery_on", "date"),
            _c("delivered_at", "timestamp", not_before="ordered_at"),
            _c("updated_at", "timestamp", required=True),
        ),
        key=("order_id",),
        version_column="updated_at",
        required=True,
    ),
    Entity(
        "sales",
        "order_lines",
        (
            _c("order_id", required=True),
            _c("line_number", "integer", required=True),
            _c("product_id", required=True),
            _c("product_category"),
            _c("quantity", "integer", required=True, minimum=0, minimum_inclusive=False),
            _c("unit_price", "decimal", required=True, minimum=0),
            _c("discount_amount", "decimal", minimum=0),
        ),
        key=("order_id", "line_number"),
    ),
    Entity(
        "sales",
        "fx_rates",
        (
            _c("rate_date", "date", required=True),
            _c("currency", required=True, code_letters=3),
            _c("rate_to_reporting", "decimal", required=True, minimum=0, minimum_inclusive=False),
        ),
        key=("rate_date", "currency"),
    ),
    Entity(
        "support",
        "tickets",
        (
            _c("ticket_id", required=True),
            _c("created_at", "timestamp", required=True),
            _c("channel", "enum", required=True, enum=("email", "phone", "chat", "web_form", "social")),
            _c(
                "category",
                "enum",
                required=True,
                enum=("delivery", "billing", "product_defect", "returns", "account", "how_to", "other"),
            ),
            _c("priority", "enum", enum=("low", "normal", "high", "urgent")),
            _c("status", "enum", required=True, enum=("new", "open", "pending", "solved", "closed")),
            _c("requester_email"),
            _c("requester_phone"),
            _c("crm_customer_id"),
            _c("order_id"),
            _c("first_response_at", "timestamp", not_before="created_at"),
            _c("solved_at", "timestamp", not_before="created_at"),
            _c("agent_replies", "integer", minimum=0),
            _c("reopened_count", "integer", minimum=0),
            _c("updated_at", "timestamp", required=True),
        ),
        key=("ticket_id",),
        version_column="updated_at",
        required=True,
    ),
    Entity(
        "support",
        "surveys",
        (
            _c("response_id", required=True),
            _c("survey_type", "enum", required=True, enum=("nps", "csat", "ces")),
            _c("score", "integer", required=True),
            _c("responded_at", "timestamp", required=True),
            _c("touchpoint", "enum", required=True, enum=SURVEY_TOUCHPOINTS),
            _c("respondent_email"),
            _c("crm_customer_id"),
            _c("ticket_id"),
            _c("order_id"),
            _c("comment"),
        ),
        key=("response_id",),
        required=True,
        score_ranges=SURVEY_SCORE_RANGES,
    ),
    Entity(
        "support",
        "feedback",
        (
            _c("feedback_id", required=True),
            _c("created_at", "timestamp", required=True),
            _c(
                "source",
                "enum",
                required=True,
                enum=("complaint_form", "social_media", "review_site", "email", "call_note", "store"),
            ),
            _c("kind", "enum", required=True, enum=("complaint", "compliment", "suggestion", "question")),
            _c("topic"),
            _c(
                "department",
                "enum",
                enum=("marketing", "sales", "product", "customer_service", "logistics", "billing", "it"),
            ),
            _c("author_email"),
            _c("author_handle"),
            _c("crm_customer_id"),
            _c("text"),
            _c("rating", "integer", minimum=1, maximum=5),
        ),
        key=("feedback_id",),
    ),
)

SOURCES = ("crm", "marketing", "sales", "support")
FILE_FORMATS = ("csv", "jsonl", "parquet")

# Columns ingestion adds to every raw-zone row, for lineage and "latest version wins".
LINEAGE_COLUMNS = (
    ("_batch_id", "varchar"),  # the load_batches row the record came from
    ("_batch_seq", "bigint"),  # load order of batches: ties on updated_at go to the later batch
    ("_file_name", "varchar"),  # path of the delivered file inside its entity folder
    ("_row_number", "bigint"),  # 1 = the file's first data row
    ("_loaded_at", "timestamp"),
)


def entity(qualified: str) -> Entity:
    """Look an entity up by `source/name`."""
    for e in ENTITIES:
        if e.qualified == qualified:
            return e
    raise KeyError(f"unknown entity {qualified!r}; known: {', '.join(e.qualified for e in ENTITIES)}")
