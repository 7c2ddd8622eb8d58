"""Free text in the customers' languages: survey comments, feedback, account-manager notes."""

from __future__ import annotations

LANGUAGE = {"PL": "pl", "RO": "ro", "DE": "de"}

COMMENTS = {
    "good": {
        "pl": (
            "Szybka dostawa, wszystko w porządku.",
            "Świetna obsługa, dziękuję!",
            "Polecam, bardzo miły kontakt.",
        ),
        "ro": ("Livrare rapidă, mulțumesc!", "Totul a fost în regulă.", "Recomand, servicii excelente."),
        "de": (
            "Schnelle Lieferung, alles bestens.",
            "Super Service, gerne wieder!",
            "Sehr freundlich, danke schön.",
        ),
        "en": ("Great service, thanks!", "Quick and easy."),
    },
    "bad": {
        "pl": (
            "Paczka przyszła z opóźnieniem.",
            "Nikt nie odpowiedział na mój e-mail, słaba obsługa.",
            "Produkt uszkodzony, zwrot trwał za długo.",
        ),
        "ro": (
            "Coletul a întârziat o săptămână.",
            "Nu mi-a răspuns nimeni la telefon.",
            "Produsul a venit deteriorat, dezamăgitor.",
        ),
        "de": (
            "Die Lieferung kam viel zu spät.",
            "Niemand hat auf meine E-Mail reagiert, enttäuschend.",
            "Ware beschädigt, Rückgabe umständlich.",
        ),
        "en": ("Late again.", "Support never got back to me."),
    },
}

# (topic, department, text by language); texts hold commas, quotes and line breaks on purpose
COMPLAINTS = (
    (
        "delivery delay",
        "logistics",
        {
            "pl": "Zamówienie miało być w czwartek, przyszło we wtorek.\nKurier nie zadzwonił.",
            "ro": "Comanda trebuia să ajungă joi, a venit marți. Curierul nu a sunat.",
            "de": "Die Bestellung sollte am Donnerstag kommen, kam aber erst am Dienstag.\n"
            "Der Bote hat nicht geklingelt.",
        },
    ),
    (
        "rude staff",
        "customer_service",
        {
            "pl": 'Pani na infolinii była niemiła, powiedziała "nic nie da się zrobić".',
            "ro": "Operatorul a fost nepoliticos și mi-a spus „nu e problema noastră”.",
            "de": 'Der Mitarbeiter an der Hotline war unfreundlich, "nicht unser Problem", sagte er.',
        },
    ),
    (
        "damaged product",
        "product",
        {
            "pl": "Produkt przyszedł uszkodzony, pudełko zgniecione.",
            "ro": "Produsul a venit zgâriat, cutia era ruptă.",
            "de": "Ware kam beschädigt an, Karton eingedrückt.",
        },
    ),
    (
        "wrong invoice",
        "billing",
        {
            "pl": "Faktura ma błędny NIP, proszę o korektę.",
            "ro": "Factura are un CUI greșit, vă rog să o corectați.",
            "de": "Die Rechnung hat eine falsche Adresse, bitte korrigieren.",
        },
    ),
    (
        "app crashes",
        "it",
        {
            "pl": "Aplikacja się zawiesza przy płatności BLIK.",
            "ro": "Aplicația se blochează la plată.",
            "de": "Die App stürzt beim Bezahlen ab.",
        },
    ),
    (
        "too many e-mails",
        "marketing",
        {
            "pl": "Za dużo maili z ofertami, proszę o wypisanie.",
            "ro": "Primesc prea multe e-mailuri promoționale.",
            "de": "Zu viele Werbe-E-Mails, bitte abmelden.",
        },
    ),
)

COMPLIMENTS = (
    (
        "fast delivery",
        "logistics",
        {
            "pl": "Dostawa następnego dnia, brawo!",
            "ro": "Livrare a doua zi, bravo!",
            "de": "Lieferung am nächsten Tag, top!",
        },
    ),
    (
        "helpful staff",
        "customer_service",
        {
            "pl": "Pan Tomasz bardzo pomógł, dziękuję.",
            "ro": "Doamna de la suport m-a ajutat foarte mult.",
            "de": "Frau Köhler war sehr hilfsbereit, danke!",
        },
    ),
    (
        "great product",
        "product",
        {
            "pl": "Świetna jakość, polecam.",
            "ro": "Calitate foarte bună.",
            "de": "Tolle Qualität, sehr zufrieden.",
        },
    ),
)

SUGGESTIONS = (
    (
        "payment options",
        "sales",
        {
            "pl": "Dodajcie płatność ratalną.",
            "ro": "Ar fi util plata în rate.",
            "de": "Bitte Ratenzahlung anbieten.",
        },
    ),
    (
        "opening hours",
        "sales",
        {
            "pl": "Czy sklep będzie otwarty w niedzielę?",
            "ro": "Care este programul magazinului duminica?",
            "de": "Hat der Laden sonntags geöffnet?",
        },
    ),
)

ACTIVITY_OUTCOMES = {
    "call": (
        "discussed renewal, follow-up next month",
        "no answer, left voicemail",
        "interested in volume discount",
    ),
    "meeting": (
        "quarterly review, happy with delivery times",
        "presented new catalogue",
        "escalated billing issue",
    ),
    "email": ("sent offer", 'sent updated price list, "Q3" terms'),
    "visit": ("site visit, checked returns process", "visited store opening"),
    "follow_up": ("offer accepted", "waiting for purchase order", "lost to competitor"),
}
