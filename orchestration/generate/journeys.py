"""One person's journey across the four departments, written row by row as it happens.

marketing touches -> sign-up (CRM) -> first order (shop) -> delivery, sometimes late -> tickets ->
surveys -> complaints and compliments -> repeat orders, or churn. Each kind of person (people.KINDS)
takes the part of this path the systems that know them can see.
"""

from __future__ import annotations

from orchestration.generate.clock import DAY, HOUR, MINUTE, PERIOD_END, PERIOD_START
from orchestration.generate.crm import CrmSteps
from orchestration.generate.marketing import MarketingSteps
from orchestration.generate.reference import campaign_for
from orchestration.generate.sales import SalesSteps
from orchestration.generate.support import SupportSteps


class Journey(MarketingSteps, CrmSteps, SalesSteps, SupportSteps):
    """The whole path of one person; each department's steps live in its own module."""

    def run(self) -> None:
        p, rng = self.p, self.rng
        kind = p.kind
        if kind in ("customer", "crm_lead"):
            if p.existing:
                signup = None
            else:
                signup = self._between(PERIOD_START + DAY, PERIOD_END - 20 * DAY)
                self._browse(signup - 20 * DAY, signup - HOUR, self._between(1, 3))
                self._event(signup - self._between(60, 600), "form_submit", None, email=self._email_mk(), anon=p.anon)
                self._event(signup, "signup", None, email=self._email_mk(), anon=p.anon)
                p.crm_created = signup + self._between(30, 600)
            self._crm()
            self._browse(max(p.crm_created, PERIOD_START), PERIOD_END, self._between(1, 4), logged_in=True)
            if p.special in ("dup_email", "dup_phone"):  # certain ambiguous support records
                ticket = self._ticket(self._between(PERIOD_START, PERIOD_END - 10 * DAY), "account")
                if ticket and ticket.solved:
                    self._survey(ticket.solved + HOUR, "csat", "support", "good", ticket=ticket)
            if p.consent:
                self._newsletters(max(p.crm_created, PERIOD_START))
            if p.segment != "consumer":
                self._activities(max(p.crm_created, PERIOD_START))
            if kind == "customer":
                self._buyer(signup)
            else:
                if rng.random() < 0.1:
                    t = self._between(max(p.crm_created, PERIOD_START), PERIOD_END)
                    self._ticket(t, self._choice(("account", "how_to", "other")))
                if signup and rng.random() < 0.15:
                    self._survey(signup + self._between(HOUR, 3 * DAY), "ces", "onboarding", "neutral")
        elif kind == "shopper":
            self._buyer(None)
        elif kind == "email_lead":
            lead = self._between(PERIOD_START, PERIOD_END - 10 * DAY)
            self._browse(lead - 30 * DAY, lead - MINUTE, self._between(1, 3))
            self._event(
                lead,
                "form_submit",
                campaign_for(("paid_social", "referral"), lead, p.country, rng),
                email=self._email_mk(),
                anon=p.anon,
            )
            self._newsletters(lead)
            if rng.random() < 0.05:
                self._survey(lead + self._between(MINUTE, HOUR), "csat", "website", "neutral")
        elif kind == "visitor":
            self._browse(PERIOD_START, PERIOD_END, self._between(2, 5))
        else:  # support_contact
            t = self._between(PERIOD_START, PERIOD_END)
            ticket = self._ticket(t, self._choice(("how_to", "other", "account", "billing")))
            if ticket and ticket.solved and rng.random() < 0.3:
                self._survey(ticket.solved + self._between(HOUR, DAY), "csat", "support", "neutral", ticket=ticket)

    def _buyer(self, signup: int | None) -> None:
        p, rng = self.p, self.rng
        if p.kind == "shopper":
            first = self._between(PERIOD_START, PERIOD_END - 2 * DAY)
            self._browse(first - 15 * DAY, first - MINUTE, self._between(1, 3))
            created = first - self._between(60, 900)
        elif p.existing:
            first = PERIOD_START + self._between(0, 40 * DAY)
            created = min(p.crm_created + self._between(HOUR, 90 * DAY), PERIOD_START - HOUR)
        else:
            first = p.crm_created + self._between(10 * MINUTE, 10 * DAY)
            created = first - self._between(60, 900)
        r = rng.random()
        count = 1 if r < 0.35 else self._between(2, 3) if r < 0.75 else self._between(4, 7)
        if p.kind == "shopper":
            count = min(count, 3)
        end = PERIOD_END
        if count > 1 and rng.random() < 0.2:  # churns: buys early on, then never again
            end = first + (PERIOD_END - first) // 3
        times = sorted([first] + [self._between(first, max(first, end)) for _ in range(count - 1)])
        times = [t for t in times if t <= PERIOD_END]
        if not times and not p.existing:
            return
        self._sales_customer(created)
        orders = [self._order(t) for t in times]
        for o in orders:
            self._after_order(o)
        if p.crm_id and rng.random() < 0.15:
            t = self._between(PERIOD_START, PERIOD_END)
            mood = "bad" if any(o.late or o.returned for o in orders) else "good"
            self._survey(t, "nps", "relationship", mood)
        if rng.random() < 0.12:  # questions that are not about one order
            self._ticket(
                self._between(PERIOD_START, PERIOD_END),
                self._choice(("account", "how_to", "billing", "other")),
            )
        if rng.random() < 0.04:
            self._feedback(self._between(PERIOD_START, PERIOD_END), self._choice(("suggestion", "question")), None)
