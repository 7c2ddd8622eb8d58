"""Customer service: tickets with their life cycle, surveys, feedback."""

from __future__ import annotations

from orchestration.generate import names
from orchestration.generate.anomalies import FEEDBACK_BATCH
from orchestration.generate.base import (
    FEEDBACK_SOURCES,
    PERIOD_A_END,
    PRIORITIES,
    SCORES,
    TICKET_CHANNELS,
    JourneyBase,
    Order,
    Ticket,
    pick,
    variant,
)
from orchestration.generate.clock import DAY, HOUR, MINUTE, PERIOD_END, iso_offset, iso_space, iso_z
from orchestration.generate.layout import PERIODS
from orchestration.generate.texts import COMMENTS, SUGGESTIONS


class SupportSteps(JourneyBase):
    def _ticket(self, created: int, category: str, order: Order | None = None) -> Ticket | None:
        p, rng = self.p, self.rng
        if created > PERIOD_END:
            return None
        tid = self._id("T")
        channel = pick(rng, TICKET_CHANNELS)
        first = created + (
            self._between(60, 900)
            if channel == "chat"
            else self._between(0, 300)
            if channel == "phone"
            else self._between(30 * MINUTE, 30 * HOUR)
        )
        steps = [(created, "new"), (first, "open")]
        solved = None
        reopened = 0
        if rng.random() < 0.3:
            steps.append((first + self._between(HOUR, 2 * DAY), "pending"))
        if rng.random() > 0.08:  # most are solved; some stay open
            solved = steps[-1][0] + self._between(2 * HOUR, 6 * DAY)
            steps.append((solved, "solved"))
            if rng.random() < 0.12:
                reopened = 1
                steps.append((solved + self._between(DAY, 3 * DAY), "reopened"))
                solved = steps[-1][0] + self._between(2 * HOUR, 4 * DAY)
                steps.append((solved, "solved"))
            steps.append((solved + 4 * DAY, "closed"))
        steps = [s for s in steps if s[0] <= PERIOD_END]
        if solved and solved > PERIOD_END:
            solved = None
        email = names.written_email(p.email, rng, 0.4) if channel != "phone" or rng.random() < 0.3 else None
        phone = p.phone.written(rng, 0.6) if channel == "phone" or rng.random() < 0.1 else None
        crm = self._crm_id_sometimes(0.55)
        if p.dup == "phone":  # only the phone, written so it parses without a country: matches both CRM records
            email, phone = None, p.phone.international(rng)
        elif p.dup == "email":  # the e-mail both CRM records hold
            email, phone = names.written_email(p.email, rng, 0.4), None
        extra_replies = self._between(0, 3)
        base = {
            "ticket_id": tid,
            "created_at": iso_offset(created, p.country),
            "channel": variant(rng, channel),
            "category": category,
            "priority": pick(rng, PRIORITIES),
            "requester_email": email,
            "requester_phone": phone,
            "crm_customer_id": crm,
            "order_id": order.id if order else None,
            "_created": created,
        }
        for batch, cutoff in zip(PERIODS, (PERIOD_A_END, PERIOD_END), strict=True):
            seen = [s for s in steps if s[0] <= cutoff]
            if not seen or (batch == PERIODS[1] and all(s[0] <= PERIOD_A_END for s in seen)):
                continue
            status = seen[-1][1]
            done = [s[0] for s in seen if s[1] == "solved"]
            row = dict(
                base,
                status=variant(rng, "open" if status == "reopened" else status, 0.02),
                first_response_at=iso_offset(first, p.country) if first <= cutoff else None,
                solved_at=iso_offset(done[-1], p.country) if done and status in ("solved", "closed") else None,
                agent_replies=0 if status == "new" else len(seen) - 1 + extra_replies,
                reopened_count=sum(1 for s in seen if s[1] == "reopened"),
                updated_at=iso_offset(seen[-1][0], p.country),
            )
            self.sink.write("support/tickets", batch, row)
        self._ambiguous("support/tickets", tid, email, phone, crm)
        return Ticket(tid, created, solved, category, reopened, order.id if order else None)

    def _survey(
        self,
        t: int,
        kind: str,
        touchpoint: str,
        mood: str,
        order: Order | None = None,
        ticket: Ticket | None = None,
    ) -> None:
        p, rng = self.p, self.rng
        if t > PERIOD_END:
            return
        rid = self._id("R")
        score = self._choice(SCORES[kind][mood])
        email = names.written_email(p.email, rng, 0.3) if rng.random() < 0.85 or p.dup == "email" else None
        crm = self._crm_id_sometimes(0.5)
        comment = None
        if rng.random() < 0.3:
            lang = self.lang if rng.random() < 0.85 else "en"
            comment = self._choice(COMMENTS["bad" if mood == "bad" else "good"][lang])
        self.sink.write(
            "support/surveys",
            PERIODS[0] if t <= PERIOD_A_END else PERIODS[1],
            {
                "response_id": rid,
                "survey_type": variant(rng, kind, 0.04),
                "score": score,
                "responded_at": iso_z(t) if rng.random() < 0.9 else iso_offset(t, p.country),
                "touchpoint": variant(rng, touchpoint, 0.02),
                "respondent_email": email,
                "crm_customer_id": crm,
                "ticket_id": ticket.id if ticket else None,
                "order_id": order.id if order else None,
                "comment": comment,
            },
        )
        self._ambiguous("support/surveys", rid, email, None, crm)

    def _feedback(self, t: int, kind: str, entry) -> None:
        p, rng = self.p, self.rng
        if t > PERIOD_END:
            return
        fid = self._id("F")
        if entry is None:
            entry = self._choice(SUGGESTIONS)
        topic, department, texts = entry
        source = pick(rng, FEEDBACK_SOURCES)
        email = handle = rating = crm = None
        if source == "social_media":
            handle = names.handle(p.first, p.last, p.tag)
        elif source == "review_site":
            handle = names.handle(p.first, p.last, p.tag) if rng.random() < 0.5 else None
            rating = {"complaint": self._between(1, 2), "compliment": self._between(4, 5)}.get(kind, 3)
        else:
            email = names.written_email(p.email, rng, 0.3) if source != "store" or rng.random() < 0.5 else None
            if source in ("call_note", "store"):
                crm = self._crm_id_sometimes(0.6)
        text = texts[self.lang] if rng.random() < 0.9 else f"{topic}: see attached, thanks"
        self.sink.write(
            "support/feedback",
            FEEDBACK_BATCH,
            {
                "feedback_id": fid,
                "created_at": iso_space(t),
                "source": variant(rng, source, 0.02),
                "kind": kind,
                "topic": topic,
                "department": department if rng.random() < 0.9 else None,
                "author_email": email,
                "author_handle": handle,
                "crm_customer_id": crm,
                "text": text,
                "rating": rating,
            },
        )
        self._ambiguous("support/feedback", fid, email, None, crm)
