"""Marketing touches: impressions, ad clicks, web visits, newsletters."""

from __future__ import annotations

from orchestration.generate import names
from orchestration.generate.base import JourneyBase, variant
from orchestration.generate.clock import (
    DAY,
    HOUR,
    MINUTE,
    MONTHS,
    PERIOD_END,
    PERIOD_START,
    iso_z,
    month_index,
)
from orchestration.generate.reference import NEWSLETTERS, UTM, campaign_for


class MarketingSteps(JourneyBase):
    def _email_mk(self) -> str:
        return names.written_email(self.p.email, self.rng, 0.1)

    def _event(self, t, etype, camp, email=None, anon=None, crm=None, cost=None, utm=None) -> None:
        if not PERIOD_START <= t <= PERIOD_END:
            return
        eid = self._id("E", 3)
        if utm is None and camp is not None:
            utm = self._choice(UTM[camp.channel])
        if self._random() < 0.01:
            etype = variant(self.rng, etype, 1.0)
        self.sink.write(
            "marketing/events",
            MONTHS[month_index(t)],
            {
                "event_id": eid,
                "event_type": etype,
                "occurred_at": iso_z(t),
                "campaign_id": camp.id if camp else None,
                "contact_email": email,
                "anonymous_id": anon,
                "crm_customer_id": crm,
                "utm_source": utm[0] if utm else None,
                "utm_medium": utm[1] if utm else None,
                "cost": cost,
            },
        )
        if self.p.dup:
            self._ambiguous("marketing/events", eid, email, None, crm)

    def _browse(self, t0: int, t1: int, sessions: int, logged_in: bool = False) -> None:
        p, rng = self.p, self.rng
        for _ in range(sessions):
            t = self._between(min(t0, t1), t1)
            crm = self._crm_id_sometimes(0.4) if logged_in else None
            r = rng.random()
            if r < 0.5:
                camp = campaign_for(("display", "paid_social"), t, p.country, rng)
                for _ in range(self._between(1, 3)):
                    anon = p.anon if rng.random() > 0.03 else None  # a few impressions tie to nobody
                    self._event(
                        t - self._between(HOUR, 3 * DAY),
                        "impression",
                        camp,
                        anon=anon,
                        cost=f"{self._between(20, 250) / 10000:.4f}" if camp else None,
                    )
            if r < 0.3:
                camp = campaign_for(("paid_search", "paid_social"), t, p.country, rng)
                self._event(
                    t - self._between(5, 60),
                    "ad_click",
                    camp,
                    anon=p.anon,
                    cost=f"{self._between(15, 250) / 100:.2f}" if camp else None,
                )
                self._event(t, "web_visit", camp, anon=p.anon, crm=crm)
            else:
                camp = campaign_for(("referral", "affiliate", "organic_social"), t, p.country, rng)
                if rng.random() < 0.5:
                    camp = None
                self._event(t, "web_visit", camp, anon=p.anon, crm=crm)

    def _newsletters(self, since: int) -> None:
        p, rng = self.p, self.rng
        for m, issue in ((m, i) for m in range(month_index(since), len(MONTHS)) for i in (0, 1)):
            camp = NEWSLETTERS[(p.country, m)]
            sent = camp.start + (2 + 14 * issue) * DAY + 8 * HOUR + self._between(0, 2 * HOUR)
            if sent < since:
                continue
            email = self._email_mk()
            crm = self._crm_id_sometimes(0.6)
            self._event(sent, "email_sent", camp, email=email, crm=crm, cost="0.0010")
            if rng.random() < 0.45:
                opened = sent + self._between(5 * MINUTE, 2 * DAY)
                self._event(opened, "email_open", camp, email=email, crm=crm)
                if rng.random() < 0.35:
                    clicked = opened + self._between(10, 20 * MINUTE)
                    self._event(clicked, "email_click", camp, email=email, crm=crm)
                    self._event(clicked + self._between(2, 30), "web_visit", camp, anon=p.anon, crm=crm)
            if rng.random() < 0.02:
                self._event(sent + self._between(HOUR, 5 * DAY), "unsubscribe", camp, email=email, crm=crm)
                return
