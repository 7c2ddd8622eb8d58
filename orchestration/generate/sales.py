"""The shop: its customer register, orders (monthly extracts with status changes) and order lines."""

from __future__ import annotations

from orchestration.generate import names
from orchestration.generate.base import (
    SALES_BATCHES,
    SALES_CHANNELS,
    SALES_CUTOFF,
    JourneyBase,
    Order,
    pick,
    variant,
)
from orchestration.generate.clock import (
    DAY,
    HOUR,
    MINUTE,
    MONTH_ENDS,
    MONTHS,
    PERIOD_END,
    PERIOD_START,
    day,
    iso_space,
    iso_z,
    month_index,
)
from orchestration.generate.people import invalid_phone
from orchestration.generate.reference import CURRENCY, cents, order_lines
from orchestration.generate.texts import COMPLAINTS, COMPLIMENTS


class SalesSteps(JourneyBase):
    def _sales_customer(self, created: int) -> None:
        p, rng = self.p, self.rng
        email = names.written_email(p.email, rng, 0.3) if rng.random() < 0.7 else None
        phone = p.phone.written(rng, 0.5) if rng.random() < 0.4 else None
        crm = None
        if p.kind == "customer":
            r = rng.random()
            if p.special == "unknown_crm_id_email":
                r = 0.96
            elif p.special == "unknown_crm_id_only":
                r = 0.99
            elif p.dup:
                r = 0.0
            if r < 0.78:
                crm = p.crm_id
            elif r < 0.90:
                email = names.written_email(p.email, rng, 0.3)
            elif r < 0.95:
                email, phone = None, p.phone.national(rng)
            else:
                crm = self.people.unknown_crm_id(p.num)
                if r < 0.98:
                    email = names.written_email(p.email, rng, 0.3)
                else:
                    email = phone = None
                self.sink.note(
                    "unknown_crm_ids",
                    {
                        "entity": "sales/customers",
                        "id": p.sales_no,
                        "crm_customer_id": crm,
                        # what the row can still be matched on once the unknown id is ignored
                        "then": (
                            f"email of {p.crm_id}"
                            if email and self.crm_email
                            else "phone"
                            if phone
                            else "nothing: a prospect by customer_number"
                        ),
                    },
                )
        if p.special == "invalid_phone_shop":
            phone = invalid_phone(p)
            self.sink.note("invalid_phones", {"entity": "sales/customers", "id": p.sales_no, "phone": phone})
        country = p.country if rng.random() < 0.85 else p.country.lower() if rng.random() < 0.7 else None
        proper = names.full_name(p.first, p.last, rng)
        v1 = {
            "customer_number": p.sales_no,
            "email": email,
            "phone": phone,
            "full_name": proper,
            "country": country,
            "crm_customer_id": crm,
            "created": created,
            "updated": created,
        }
        versions = [v1]
        if rng.random() < 0.06:  # the shop first stored the name without diacritics, corrected later
            v1["full_name"] = names.ascii_fold(p.first).capitalize() + " " + names.ascii_fold(p.last).capitalize()
            versions.append(
                dict(v1, full_name=proper, updated=self._between(max(created, PERIOD_START) + DAY, PERIOD_END))
            )
        if created <= SALES_CUTOFF:
            self._sales_row(SALES_BATCHES[0], [v for v in versions if v["updated"] <= SALES_CUTOFF][-1])
            for v in versions:
                if v["updated"] > SALES_CUTOFF:
                    self._sales_row(SALES_BATCHES[1], v)
        else:
            self._sales_row(SALES_BATCHES[1], versions[-1])

    def _sales_row(self, batch: str, v: dict) -> None:
        self.sink.write(
            "sales/customers",
            batch,
            {
                "customer_number": v["customer_number"],
                "email": v["email"],
                "phone": v["phone"],
                "full_name": v["full_name"],
                "country": v["country"],
                "crm_customer_id": v["crm_customer_id"],
                "created_at": iso_space(v["created"]),
                "updated_at": iso_space(v["updated"]),
            },
        )

    def _order(self, t: int) -> Order:
        p, rng = self.p, self.rng
        o = Order(self._id("O", 2), t)
        channel = pick(rng, SALES_CHANNELS)
        currency = CURRENCY[p.country] if channel != "partner" or rng.random() < 0.8 else "EUR"
        month = MONTHS[month_index(t)]
        total = order_lines(rng.random, o.id, currency, lambda row: self.sink.write("sales/order_lines", month, row))
        steps = [(t, "placed")]
        if channel == "store":
            promised = t // DAY
            o.delivered = t + self._between(60, 600)
            steps.append((o.delivered, "delivered"))
        else:
            promised = t // DAY + (2 if p.country == "DE" else 3)
            if rng.random() < 0.07:
                o.cancelled = True
                steps.append((t + self._between(HOUR, 30 * HOUR), "cancelled"))
            else:
                shipped = t + self._between(3 * HOUR, 40 * HOUR)
                o.delivered = shipped + self._between(DAY // 2, 2 * DAY)
                if rng.random() < 0.12:
                    o.delivered += self._between(2 * DAY, 8 * DAY)
                steps += [(shipped, "shipped"), (o.delivered, "delivered")]
                if rng.random() < 0.06:
                    o.returned = o.delivered + self._between(2 * DAY, 14 * DAY)
                    steps.append((o.returned, "returned"))
        steps = [s for s in steps if s[0] <= PERIOD_END]
        if o.delivered and o.delivered > PERIOD_END:
            o.delivered = None
        if o.returned and o.returned > PERIOD_END:
            o.returned = None
        o.late = bool(o.delivered and o.delivered // DAY > promised)
        ts = iso_z if channel == "partner" else iso_space  # the partner feed writes UTC with a Z
        base = {
            "order_id": o.id,
            "customer_number": p.sales_no,
            "ordered_at": ts(t),
            "sales_channel": variant(rng, channel),
            "currency": currency,
            "order_total": cents(total),
            "promised_delivery_on": day(promised * DAY),
            "_ordered": t,
        }
        # monthly extracts: an order appears in each month it changed, as it stood at that month's end
        for m in range(month_index(t), len(MONTHS)):
            changed = [s for s in steps if month_index(s[0]) == m and s[0] <= MONTH_ENDS[m]]
            if not changed:
                continue
            at, status = changed[-1]
            delivered = o.delivered if o.delivered and o.delivered <= MONTH_ENDS[m] else None
            self.sink.write(
                "sales/orders",
                MONTHS[m],
                dict(
                    base,
                    status=variant(rng, status),
                    delivered_at=ts(delivered) if delivered else None,
                    updated_at=ts(at),
                ),
            )
        return o

    def _after_order(self, o: Order) -> None:
        rng = self.rng
        ticket = None
        if o.late and rng.random() < 0.5:
            ticket = self._ticket(o.delivered - self._between(0, DAY), "delivery", o)
        elif o.returned and rng.random() < 0.45:
            ticket = self._ticket(o.returned + self._between(HOUR, 2 * DAY), "returns", o)
        elif o.cancelled and rng.random() < 0.1:
            ticket = self._ticket(o.t + self._between(HOUR, 2 * DAY), "billing", o)
        elif o.delivered and rng.random() < 0.04:
            ticket = self._ticket(o.delivered + self._between(HOUR, 5 * DAY), "product_defect", o)
        if o.delivered and rng.random() < (0.4 if o.late else 0.25):
            kind = "nps" if rng.random() < 0.4 else "csat"
            tp = "delivery" if rng.random() < 0.7 else "purchase"
            self._survey(o.delivered + self._between(HOUR, 3 * DAY), kind, tp, "bad" if o.late else "good", order=o)
        if ticket and ticket.solved and rng.random() < 0.35:
            kind = "csat" if rng.random() < 0.5 else "ces"
            tp = {"returns": "returns", "billing": "billing"}.get(ticket.category, "support")
            mood = "bad" if ticket.reopened else "good" if rng.random() < 0.7 else "neutral"
            self._survey(ticket.solved + self._between(10 * MINUTE, 2 * DAY), kind, tp, mood, ticket=ticket)
        if (
            (o.late and rng.random() < 0.3)
            or (o.returned and rng.random() < 0.15)
            or (ticket and ticket.reopened and rng.random() < 0.3)
        ):
            entry = COMPLAINTS[0] if o.late else self._choice(COMPLAINTS)
            self._feedback((o.delivered or o.t) + self._between(HOUR, 4 * DAY), "complaint", entry)
        elif o.delivered and not o.late and rng.random() < 0.04:
            self._feedback(o.delivered + self._between(HOUR, 4 * DAY), "compliment", self._choice(COMPLIMENTS))
