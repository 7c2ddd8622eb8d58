"""Hand-made landing zones shared by several test modules."""

# one customer's journey across every system: the journey, trust and mart-check tests build it
JOURNEY_LANDING = {
    "crm/customers/c.csv": (
        "customer_id,email,country,created_at,updated_at\nC1,anna@example.com,PL,2025-12-01,2025-12-01\n"
    ),
    "marketing/events/e.csv": (
        "event_id,event_type,occurred_at,crm_customer_id\n"
        "E0,email_sent,2026-01-01T09:00:00Z,C1\n"
        "E1,web_visit,2026-01-01T10:00:00Z,C1\n"
        "E2,email_click,2026-01-01T10:30:00Z,C1\n"
    ),
    "crm/activities/a.csv": (
        "activity_id,customer_id,activity_type,occurred_at\n"
        "A1,C1,call,2026-01-02T10:30:00Z\n"
        "A2,C1,meeting,2026-01-12T10:30:00Z\n"
    ),
    "sales/customers/c.csv": "customer_number,crm_customer_id,created_at,updated_at\nN1,C1,2026-01-01,2026-01-01\n",
    "sales/orders/o.csv": (
        "order_id,customer_number,ordered_at,sales_channel,status,currency,order_total,promised_delivery_on,"
        "delivered_at,updated_at\n"
        "O1,N1,2026-01-03T10:30:00Z,web,delivered,EUR,100,2026-01-04,2026-01-05T10:30:00Z,2026-01-05T10:30:00Z\n"
        "O2,N1,2026-01-10T10:30:00Z,app,cancelled,EUR,40,,,2026-01-11T10:30:00Z\n"
    ),
    "support/tickets/t.csv": (
        "ticket_id,created_at,channel,category,status,crm_customer_id,first_response_at,solved_at,"
        "agent_replies,reopened_count,updated_at\n"
        "T1,2026-01-06T10:30:00Z,chat,delivery,solved,C1,2026-01-06T11:00:00Z,2026-01-06T12:30:00Z,1,0,"
        "2026-01-06T12:30:00Z\n"
    ),
    "support/surveys/s.csv": (
        "response_id,survey_type,score,responded_at,touchpoint,crm_customer_id\n"
        "S1,nps,10,2026-01-07T10:30:00Z,relationship,C1\n"
        "S2,csat,2,2026-01-07T11:30:00Z,support,C1\n"
    ),
}
