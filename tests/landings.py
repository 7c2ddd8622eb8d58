"""Hand-made landing zones, and the demo landing zone the shared builds read (tests/conftest.py).

The journey and identity zones use ids of their own (J..., and the identity cases' C1...N8), which
the demo's generated ids (C0000001, SC0000001, O0000001-01...) never take, so they are delivered
beside the demo and read back by id.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from orchestration.generate import DEMO_CUSTOMERS, DEMO_SEED, generate_days
from orchestration.settings import DEMO_LANDING_DIR

# one customer's journey across every system (tests/test_journey.py)
JOURNEY_LANDING = {
    "crm/customers/journey_c.csv": (
        "customer_id,email,country,created_at,updated_at\nJC1,journey.anna@example.com,PL,2025-12-01,2025-12-01\n"
    ),
    "marketing/events/journey_e.csv": (
        "event_id,event_type,occurred_at,crm_customer_id\n"
        "JE0,email_sent,2026-01-01T09:00:00Z,JC1\n"
        "JE1,web_visit,2026-01-01T10:00:00Z,JC1\n"
        "JE2,email_click,2026-01-01T10:30:00Z,JC1\n"
    ),
    "crm/activities/journey_a.csv": (
        "activity_id,customer_id,activity_type,occurred_at\n"
        "JA1,JC1,call,2026-01-02T10:30:00Z\n"
        "JA2,JC1,meeting,2026-01-12T10:30:00Z\n"
    ),
    "sales/customers/journey_c.csv": (
        "customer_number,crm_customer_id,created_at,updated_at\nJN1,JC1,2026-01-01,2026-01-01\n"
    ),
    "sales/orders/journey_o.csv": (
        "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,"
        "delivered_at,updated_at\n"
        "JO1,JN1,2026-01-03T10:30:00Z,web,delivered,EUR,100,2026-01-04,2026-01-05T10:30:00Z,2026-01-05T10:30:00Z\n"
        "JO2,JN1,2026-01-10T10:30:00Z,app,cancelled,EUR,40,,,2026-01-11T10:30:00Z\n"
    ),
    "support/tickets/journey_t.csv": (
        "ticket_id,created_at,channel,category,status,crm_customer_id,first_response_at,solved_at,"
        "agent_replies,reopened_count,updated_at\n"
        "JT1,2026-01-06T10:30:00Z,chat,delivery,solved,JC1,2026-01-06T11:00:00Z,2026-01-06T12:30:00Z,1,0,"
        "2026-01-06T12:30:00Z\n"
    ),
    "support/surveys/journey_s.csv": (
        "response_id,survey_type,score,responded_at,touchpoint,crm_customer_id\n"
        "JS1,nps,10,2026-01-07T10:30:00Z,relationship,JC1\n"
        "JS2,csat,2,2026-01-07T11:30:00Z,support,JC1\n"
    ),
}

# Customers whose journey the next days change although no record of theirs is delivered
# (tests/test_incremental.py): each must be re-derived by int_journey_scope for its own reason.
#   - JT2 (JC2), open 64 hours at the end of the demo's as-of date (2026-10-31), is friction (open
#     over 72 hours) by the days' as-of date; JT3 (JC3) is friction at both dates, so JC3 is not
#     re-derived (as_of);
#   - JO4 (JC4, through the shop's JN4), an order in HUF, a currency with no rate until the days
#     deliver one dated before the order (fx_rate);
#   - JE5 (JC5), an ad click on a campaign the days deliver: its channel becomes the campaign's
#     (campaign).
SCOPE_CASES_LANDING = {
    "crm/customers/scope_cases_c.csv": (
        "customer_id,email,country,created_at,updated_at\n"
        "JC2,scope.case.two@example.com,PL,2026-10-01,2026-10-01\n"
        "JC3,scope.case.three@example.com,PL,2026-10-01,2026-10-01\n"
        "JC4,scope.case.four@example.com,HU,2026-10-01,2026-10-01\n"
        "JC5,scope.case.five@example.com,PL,2026-10-01,2026-10-01\n"
    ),
    "support/tickets/scope_cases_t.csv": (
        "ticket_id,created_at,channel,category,status,crm_customer_id,updated_at\n"
        "JT2,2026-10-30T08:00:00Z,email,delivery,open,JC2,2026-10-30T08:00:00Z\n"
        "JT3,2026-10-20T08:00:00Z,email,delivery,open,JC3,2026-10-20T08:00:00Z\n"
    ),
    "sales/customers/scope_cases_c.csv": (
        "customer_number,crm_customer_id,created_at,updated_at\nJN4,JC4,2026-10-01,2026-10-01\n"
    ),
    "sales/orders/scope_cases_o.csv": (
        "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,updated_at\n"
        "JO4,JN4,2026-10-15T10:00:00Z,web,placed,HUF,1000,2026-10-15T10:00:00Z\n"
    ),
    "marketing/events/scope_cases_e.csv": (
        "event_id,event_type,occurred_at,campaign_id,crm_customer_id\n"
        "JE5,ad_click,2026-10-20T10:00:00Z,CMP-J-LATE,JC5\n"
    ),
}
# what the days deliver for them (deliver_days)
SCOPE_CASES_DAYS = {
    "sales/fx_rates/fx_rates_2026-11-02_huf.csv": "rate_date,currency,rate_to_reporting\n2026-10-01,HUF,0.0025\n",
    "marketing/campaigns/campaigns_2026-11-02_late.csv": (
        "campaign_id,campaign_name,channel,started_on\nCMP-J-LATE,A late campaign,paid_social,2026-10-01\n"
    ),
}

# The journey's customer as a company without e-mail addresses or delivery times would deliver
# them (tests/test_trust.py): neither column is filled anywhere, and every mart still publishes.
NO_CONTACT_LANDING = {
    **JOURNEY_LANDING,
    "crm/customers/journey_c.csv": "customer_id,country,created_at,updated_at\nJC1,PL,2025-12-01,2025-12-01\n",
    "sales/orders/journey_o.csv": JOURNEY_LANDING["sales/orders/journey_o.csv"].replace(
        "2026-01-05T10:30:00Z,2026-01-05T10:30:00Z", ",2026-01-05T10:30:00Z"
    ),
}

IDENTITY_CRM = """customer_id,email,phone,first_name,last_name,country,segment,marketing_consent,created_at,updated_at
C1,Anna.Kowalska@Example.com,+48 601 234 567,Anna,Kowalska,PL,consumer,yes,2026-01-01,2026-01-01
C2,jan@x.pl,601-234-568,Jan,Nowak,PL,smb,no,2026-01-01,2026-01-01
C3,dup@x.com,0040 721 234 567,Ștefan,Rădulescu,RO,consumer,,2026-01-01,2026-01-01
C4, DUP@x.com ,,Ștefan,Radulescu,RO,consumer,,2026-01-02,2026-01-02
C5,,+48 601 234 569,Jürgen,Groß,PL,enterprise,,2026-01-01,2026-01-01
C6,ana@x.ro,(030) 1234567,Ana,Popescu,DE,consumer,,2026-01-01,2026-01-01
"""
IDENTITY_SALES_CUSTOMERS = """customer_number,email,phone,full_name,country,crm_customer_id,created_at,updated_at
N1,,,Anna K,PL,C1,2026-01-01,2026-01-01
N2,jan@x.pl,,Jan N,PL,C999,2026-01-01,2026-01-01
N3,,+48 601 234 569,J G,PL,,2026-01-01,2026-01-01
N4,New@Shop.com,,New Shopper,PL,,2026-01-01,2026-01-01
N5,,,Walk In,PL,,2026-01-01,2026-01-01
N6,dup@x.com,,S R,RO,,2026-01-01,2026-01-01
N7,ANA@x.ro,,A P,DE,,2026-01-01,2026-01-01
N8,,721 234 567,S R,RO,,2026-01-01,2026-01-01
"""
IDENTITY_ORDERS = """order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,delivered_at,updated_at
O1,N1,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O2,N2,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O3,N3,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O4,N4,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O5,N5,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O6,N6,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
O7,N404,2026-02-01T10:00:00Z,web,placed,EUR,10,,,2026-02-01T10:00:00Z
"""
IDENTITY_EVENTS = """event_id,event_type,occurred_at,campaign_id,contact_email,anonymous_id,crm_customer_id,utm_source,utm_medium,cost
E1,web_visit,2026-01-10T10:00:00Z,,anna.kowalska@example.com,,C2,,,
E2,email_click,2026-01-10T10:00:00Z,, anna.kowalska@example.com ,,,,,
E3,email_open,2026-01-10T10:00:00Z,,jan@x.pl,,C777,,,
E4,web_visit,2026-01-10T10:00:00Z,,,anon-1,,,,
E5,signup,2026-01-10T10:00:00Z,,new@shop.com,,,,,
E6,ad_click,2026-01-10T10:00:00Z,,,,,,,
E7,email_open,2026-01-10T10:00:00Z,,dup@x.com,,,,,
"""
IDENTITY_TICKETS = """ticket_id,created_at,channel,category,status,requester_email,requester_phone,crm_customer_id,updated_at
T1,2026-02-02T10:00:00Z,phone,delivery,open,,+48601234567,,2026-02-02T10:00:00Z
T2,2026-02-02T10:00:00Z,phone,delivery,open,,601 234 568,C6,2026-02-02T10:00:00Z
T3,2026-02-02T10:00:00Z,email,billing,open,x@y.z,601 234 568,,2026-02-02T10:00:00Z
T4,2026-02-02T10:00:00Z,phone,other,open,,0048 601 234 568,,2026-02-02T10:00:00Z
"""
IDENTITY_SURVEYS = """response_id,survey_type,score,responded_at,touchpoint,respondent_email,crm_customer_id,ticket_id,order_id
S1,nps,9,2026-02-03T10:00:00Z,delivery,jan@x.pl,,,O1
S2,csat,4,2026-02-03T10:00:00Z,support,,,T1,
"""
IDENTITY_FEEDBACK = """feedback_id,created_at,source,kind,author_email,author_handle,crm_customer_id,text
F1,2026-02-04T10:00:00Z,social_media,complaint,,@anna,,slow
F2,2026-02-04T10:00:00Z,email,compliment,,,C3,great
"""
IDENTITY_ACTIVITIES = """activity_id,customer_id,activity_type,occurred_at
A1,C1,call,2026-01-05T10:00:00Z
A2,C999,meeting,2026-01-05T10:00:00Z
"""

# one case per identity rule of model.md (tests/test_identity.py)
IDENTITY_LANDING = {
    "crm/customers/identity_c.csv": IDENTITY_CRM,
    "crm/activities/identity_a.csv": IDENTITY_ACTIVITIES,
    "sales/customers/identity_c.csv": IDENTITY_SALES_CUSTOMERS,
    "sales/orders/identity_o.csv": IDENTITY_ORDERS,
    "marketing/events/identity_e.csv": IDENTITY_EVENTS,
    "support/tickets/identity_t.csv": IDENTITY_TICKETS,
    "support/surveys/identity_s.csv": IDENTITY_SURVEYS,
    "support/feedback/identity_f.csv": IDENTITY_FEEDBACK,
}

# People of the committed demo whom the daily deliveries below change, found in its first build by
# the queries of tests/test_incremental.py (PEOPLE_QUERIES), which checks they still play these roles:
# a prospect known by e-mail through the shop, an e-mail-only marketing lead, and a CRM customer with
# a delivered order.
PROSPECT = {"customer_number": "SC0000012", "email": "Ivasilescu126@Outlook.com  "}
LEAD_EMAIL = "elena_enachescu936@outlook.com"
CRM_ORDER = {
    "order_id": "O0000001-01",
    "customer_number": "SC0000001",
    "line": "O0000001-01,SC0000001,2026-05-24 14:48:45,web,returned,PLN,106.99,2026-05-27,2026-06-02 06:32:22",
    "customer_id": "C0000001",
    "crm": "C0000001,{email},,Maciej,Pietrzak,PL,consumer,true,2026-05-19 19:45:03",
}
PROSPECT_CRM_ID = "C9990001"
DAYS_AFTER = dt.date(2026, 10, 31)
DAYS = 2


def demo_landing(root: Path) -> Path:
    """The committed demo, with the journey, identity and scope cases delivered beside it."""
    landing = root / "landing"
    shutil.copytree(DEMO_LANDING_DIR, landing)
    for files in (JOURNEY_LANDING, IDENTITY_LANDING, SCOPE_CASES_LANDING):
        _write(landing, files)
    return landing


def deliver_days(landing: Path) -> None:
    """The next two days' deliveries: the generator's (sign-ups, orders and status updates, tickets,
    surveys, prospects joining the CRM, corrected CRM, shop and ticket records) and these, made by hand:
      - a new order of the prospect, and their e-mail in a new CRM record (their orders move to it);
      - a CRM customer's delivered order returned, and their e-mail corrected to the lead's (the
        lead's events join them; what matched the old e-mail no longer does; the segment changes);
      - a web visit of the lead, an open ticket, a new FX rate, a visit of the new CRM customer;
      - a broken survey export (no score column): rejected, a warning when rejected batches warn;
      - a HUF rate and a campaign for the scope cases (SCOPE_CASES_DAYS).
    """
    generate_days(landing, DAYS_AFTER, DAYS, DEMO_CUSTOMERS, DEMO_SEED)
    orders = "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,"
    orders += "delivered_at,updated_at\n"
    orders += f"O9990001-01,{PROSPECT['customer_number']},2026-11-01 09:00:00,web,placed,EUR,120.00,2026-11-04,,"
    orders += "2026-11-01 09:00:00\n"
    orders += f"{CRM_ORDER['line']},2026-11-01 10:00:00\n"
    tickets = "ticket_id,created_at,channel,category,priority,status,requester_email,requester_phone,"
    tickets += "crm_customer_id,order_id,first_response_at,solved_at,agent_replies,reopened_count,updated_at\n"
    tickets += f"T9990001-1,2026-11-01T08:00:00Z,email,delivery,high,open,,,{CRM_ORDER['customer_id']},,,,0,0,"
    tickets += "2026-11-01T08:00:00Z\n"
    crm = "customer_id,email,phone,first_name,last_name,country,segment,marketing_consent,created_at,updated_at\n"
    crm += f"{PROSPECT_CRM_ID},{PROSPECT['email']},,New,Member,,consumer,true,2026-11-02 08:00:00,2026-11-02 08:00:00\n"
    crm += CRM_ORDER["crm"].format(email=LEAD_EMAIL) + ",2026-11-02 09:00:00\n"
    visits = [
        {"event_id": "E9990001-001", "event_type": "web_visit", "occurred_at": "2026-11-01T11:00:00Z"}
        | {"contact_email": LEAD_EMAIL},
        {"event_id": "E9990002-001", "event_type": "web_visit", "occurred_at": "2026-11-02T12:00:00Z"}
        | {"crm_customer_id": PROSPECT_CRM_ID},
    ]
    _write(
        landing,
        {
            "sales/orders/orders_2026-11-01_corrections.csv": orders,
            "marketing/events/events_2026-11-01_web.jsonl": json.dumps(visits[0]) + "\n",
            "support/tickets/tickets_2026-11-01_desk.csv": tickets,
            "crm/customers/customers_2026-11-02_corrections.csv": crm,
            "sales/fx_rates/fx_rates_daily_2026-11-02_manual.csv": "rate_date,currency,rate_to_reporting\n"
            "2026-11-02,PLN,0.2301\n",
            "marketing/events/events_2026-11-02_web.jsonl": json.dumps(visits[1]) + "\n",
            "support/surveys/surveys_2026-11-02_broken.csv": "response_id\nR9\n",
            **SCOPE_CASES_DAYS,
        },
    )


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
