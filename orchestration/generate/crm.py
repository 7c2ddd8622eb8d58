"""The CRM: customer master records (with versions and duplicates) and account-manager activities."""

from __future__ import annotations

from orchestration.generate import names
from orchestration.generate.anomalies import ACTIVITIES_BATCH
from orchestration.generate.base import (
    ACTIVITY_TYPES,
    CRM_BATCHES,
    CRM_FULL_CUTOFF,
    JourneyBase,
    pick,
    variant,
)
from orchestration.generate.clock import DAY, PERIOD_END, PERIOD_START, iso_offset, iso_space, iso_z
from orchestration.generate.people import PHONE_CHANGE_OFFSET, invalid_phone
from orchestration.generate.phones import unique_phone
from orchestration.generate.reference import ACCOUNT_MANAGERS
from orchestration.generate.texts import ACTIVITY_OUTCOMES


class CrmSteps(JourneyBase):
    def _crm(self) -> None:
        p, rng = self.p, self.rng
        keep_email = p.dup == "email" or p.special == "unknown_crm_id_email"
        email = None if (rng.random() < 0.04 and not keep_email) else names.written_email(p.email, rng, 0.2)
        self.crm_email = email
        phone_international = rng.random() < 0.4
        phone = p.phone.international(rng) if phone_international else p.phone.national(rng)
        if rng.random() < 0.15 and p.dup != "phone":
            phone = None
        bad = invalid_phone(p)
        if bad:
            phone = bad
            self.sink.note("invalid_phones", {"entity": "crm/customers", "id": p.crm_id, "phone": bad})
        if p.special == "bobby_tables":
            self.sink.note("sql_like_name", {"entity": "crm/customers", "id": p.crm_id, "first_name": p.first})
        v1 = {
            "customer_id": p.crm_id,
            "email": email,
            "phone": phone,
            "first_name": p.first,
            "last_name": p.last,
            "country": p.country,
            "segment": p.segment,
            "consent": p.consent,
            "created": p.crm_created,
            "updated": p.crm_created,
        }
        versions = [v1]
        if rng.random() < 0.1:
            v2 = dict(v1, updated=self._between(max(p.crm_created, PERIOD_START) + DAY, PERIOD_END))
            change = self._choice(("phone", "segment", "consent"))
            if change == "phone" and not bad and not p.dup:
                v2["phone"] = unique_phone(p.country, p.num - 1 + PHONE_CHANGE_OFFSET).written(rng)
            elif change == "segment" or bad or p.dup:
                v2["segment"] = {"consumer": "smb", "smb": "enterprise", "enterprise": "smb"}[p.segment]
            else:
                v2["consent"] = not p.consent
            versions.append(v2)
        self._crm_versions(versions)
        if p.dup:
            created = self._between(p.crm_created + DAY, max(p.crm_created + DAY, PERIOD_END - DAY))
            first, last = p.first, p.last
            if rng.random() < 0.6:
                first, last = names.ascii_fold(first).capitalize(), names.ascii_fold(last).capitalize()
            if p.dup == "email":
                d_email, d_phone = f" {p.email.upper()}", None
            else:
                d_email = None
                d_phone = p.phone.national(rng) if phone_international else p.phone.international(rng)
            self._crm_versions(
                [
                    {
                        "customer_id": p.dup_id,
                        "email": d_email,
                        "phone": d_phone,
                        "first_name": first,
                        "last_name": last,
                        "country": p.country,
                        "segment": "consumer",
                        "consent": False,
                        "created": created,
                        "updated": created,
                    }
                ]
            )
            self.sink.note(
                "crm_duplicates",
                {
                    "customer_id": p.crm_id,
                    "duplicate_id": p.dup_id,
                    "shared": p.dup,
                    "written": [email, d_email] if p.dup == "email" else [phone, d_phone],
                },
            )

    def _crm_versions(self, versions: list[dict]) -> None:
        created = versions[0]["created"]
        if created <= CRM_FULL_CUTOFF:
            known = [v for v in versions if v["updated"] <= CRM_FULL_CUTOFF]
            self._crm_row(CRM_BATCHES[0], known[-1])
            for v in versions:
                if v["updated"] > CRM_FULL_CUTOFF:
                    self._crm_row(CRM_BATCHES[1], v)
        else:
            self._crm_row(CRM_BATCHES[1], versions[-1])

    def _crm_row(self, batch: str, v: dict) -> None:
        full = batch == CRM_BATCHES[0]
        ts = iso_z if full else iso_space
        consent = ("true", "false") if full else ("Yes", "No")
        self.sink.write(
            "crm/customers",
            batch,
            {
                "customer_id": v["customer_id"],
                "email": v["email"],
                "phone": v["phone"],
                "first_name": v["first_name"],
                "last_name": v["last_name"],
                "country": v["country"],
                "segment": variant(self.rng, v["segment"], 0.03),
                "marketing_consent": consent[0] if v["consent"] else consent[1],
                "created_at": ts(v["created"]),
                "updated_at": ts(v["updated"]),
            },
        )

    def _activities(self, since: int) -> None:
        p, rng = self.p, self.rng
        count = self._between(2, 5) if p.segment == "smb" else self._between(4, 10)
        for t in sorted(self._between(since, PERIOD_END) for _ in range(count)):
            kind = pick(rng, ACTIVITY_TYPES)
            self.sink.write(
                "crm/activities",
                ACTIVITIES_BATCH,
                {
                    "activity_id": self._id("A", 2),
                    "customer_id": p.crm_id,
                    "activity_type": variant(rng, kind, 0.03),
                    "occurred_at": iso_offset(t, p.country),
                    "owner": self._choice(ACCOUNT_MANAGERS[p.country]),
                    "outcome": self._choice(ACTIVITY_OUTCOMES[kind]) if rng.random() < 0.8 else None,
                },
            )
