"""People's names, e-mail addresses and social handles for Poland, Romania and Germany."""

from __future__ import annotations

from random import Random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# first names: (male, female)
FIRST = {
    "PL": (
        _words(
            "Łukasz Paweł Michał Krzysztof Piotr Tomasz Grzegorz Jakub Wojciech Mateusz Marcin "
            "Jarosław Przemysław Bartłomiej Zbigniew Adam Kamil Rafał Andrzej Jan Stanisław Maciej "
            "Sebastian Dariusz"
        ),
        _words(
            "Anna Małgorzata Agnieszka Katarzyna Joanna Magdalena Zofia Łucja Ewa Barbara Grażyna "
            "Jadwiga Elżbieta Dorota Aleksandra Marta Monika Beata Halina Natalia Weronika Justyna "
            "Iwona Bożena"
        ),
    ),
    "RO": (
        _words(
            "Ștefan Mihai Andrei Alexandru Ionuț Răzvan Bogdan Cătălin Florin Gheorghe Vasile "
            "Constantin Radu Cristian Adrian Dragoș Tudor Sorin Marius Costel"
        ),
        _words(
            "Ioana Maria Elena Andreea Cătălina Alexandra Mădălina Ilinca Oana Raluca Irina Corina "
            "Simona Georgiana Roxana Bianca Ștefania Larisa Teodora Anca"
        ),
    ),
    "DE": (
        _words(
            "Jürgen Jörg Björn Günther Lukas Maximilian Felix Jonas Tobias Matthias Stefan Thomas "
            "Michael Andreas Uwe Dieter Klaus Florian Sören Moritz"
        ),
        _words(
            "Anna Lea Sophie Hannah Lena Jülide Käthe Sabine Ursula Petra Monika Claudia Katharina "
            "Franziska Jana Maren Birgit Gülay Annelie Luise"
        ),
    ),
}

# last names: (male form, female form)
_PL_LAST = _words(
    "Wójcik Kowalczyk Woźniak Kamiński Lewandowski Zieliński Szymański Dąbrowski Kozłowski Jankowski "
    "Mazur Wojciechowski Kwiatkowski Krawczyk Kaczmarek Piotrowski Grabowski Zając Pawłowski "
    "Michalski Król Wieczorek Jabłoński Wróbel Nowak Kowalski Majewski Olszewski Stępień Malinowski "
    "Jaworski Adamczyk Górski Nowicki Sikora Baran Rutkowski Michalak Szewczyk Ostrowski Tomaszewski "
    "Pietrzak Ziółkowski Wróblewski Błaszczyk Łuczak Żak Śliwiński Kołodziej Gołębiowski"
)


def _pl_female(name: str) -> str:
    for suffix in ("ski", "cki", "dzki"):
        if name.endswith(suffix):
            return name[:-1] + "a"
    return name


LAST = {
    "PL": tuple((n, _pl_female(n)) for n in _PL_LAST),
    "RO": tuple(
        (n, n)
        for n in _words(
            "Popescu Rădulescu Ionescu Dumitrescu Stănescu Constantinescu Tănase Munteanu Pătrașcu Bălan "
            "Dragomir Șerban Țurcanu Popa Stoica Georgescu Marinescu Lazăr Florea Mihăilescu Niculescu "
            "Căpraru Gheorghiu Ilie Moldovan Sârbu Vlădescu Oprea Neagu Ciobanu Tudose Ardeleanu "
            "Enăchescu Păun Vasilescu"
        )
    ),
    "DE": tuple(
        (n, n)
        for n in _words(
            "Müller Groß Schröder Weiß Schäfer Köhler Jäger Bäcker Hoffmann Schmidt Krüger Fuchs "
            "Schneider Fischer Meyer Wagner Becker Schulz Koch Richter Klein Wolf Schwarz Zimmermann "
            "Braun Hartmann Lange Schmitt Werner Krause Lehmann Schmid Böhm Kühn Möller Günther Frank Voß "
            "Brüggemann Straßer"
        )
    ),
}

EMAIL_DOMAINS = {
    "PL": ("gmail.com", "wp.pl", "onet.pl", "o2.pl", "interia.pl", "op.pl", "outlook.com"),
    "RO": ("gmail.com", "yahoo.com", "yahoo.ro", "outlook.com", "icloud.com"),
    "DE": ("gmx.de", "web.de", "t-online.de", "gmail.com", "outlook.de", "posteo.de"),
}
COMPANY_WORDS = (
    "trans",
    "bud",
    "tech",
    "logistik",
    "consult",
    "med",
    "agro",
    "handel",
    "soft",
    "invest",
    "design",
)
COMPANY_TLD = {"PL": "pl", "RO": "ro", "DE": "de"}

_FOLD = str.maketrans(
    {
        "ą": "a",
        "ć": "c",
        "ę": "e",
        "ł": "l",
        "ń": "n",
        "ó": "o",
        "ś": "s",
        "ź": "z",
        "ż": "z",
        "ă": "a",
        "â": "a",
        "î": "i",
        "ș": "s",
        "ş": "s",
        "ț": "t",
        "ţ": "t",
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "é": "e",
        "ğ": "g",
    }
)


def ascii_fold(name: str) -> str:
    """Łukasz -> lukasz, Groß -> gross, Ștefan -> stefan (lower case)."""
    return name.lower().translate(_FOLD)


def pick_name(country: str, female: bool, rng: Random) -> tuple[str, str]:
    first = rng.choice(FIRST[country][female])
    last = rng.choice(LAST[country])[female]
    return first, last


def email_address(first: str, last: str, country: str, tag: int, business: bool, rng: Random) -> str:
    """A unique address in lower case: the trailing `tag` is unique per person; names hold no digits."""
    f, la = ascii_fold(first), ascii_fold(last).replace(" ", "")
    style = rng.randrange(5)
    if style == 0:
        local = f"{f}.{la}{tag}"
    elif style == 1:
        local = f"{f[0]}{la}{tag}"
    elif style == 2:
        local = f"{f}_{la}{tag}"
    elif style == 3:
        local = f"{la}.{f}{tag}"
    else:
        local = f"{f}{tag}"
    if business:
        domain = f"{la}-{rng.choice(COMPANY_WORDS)}.{COMPANY_TLD[country]}"
        local = f"{f}.{la}{tag}"
    else:
        domain = rng.choice(EMAIL_DOMAINS[country])
    return f"{local}@{domain}"


def written_email(email: str, rng: Random, messy: float = 0.3) -> str:
    """How a person or a clerk typed the address: mixed case, stray spaces (the same e-mail key)."""
    if rng.random() >= messy:
        return email
    local, domain = email.split("@", 1)
    style = rng.randrange(4)
    if style == 0:
        text = ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
    elif style == 1:
        text = email.upper()
    elif style == 2:
        text = local.capitalize() + "@" + domain
    else:
        text = email
    return rng.choice(("  ", " ", "")) + text + rng.choice((" ", "", "  "))


def handle(first: str, last: str, tag: int) -> str:
    return f"@{ascii_fold(first)}{ascii_fold(last)[:3]}{tag}"


def full_name(first: str, last: str, rng: Random) -> str:
    """The shop's way of writing a name: mostly `First Last`, sometimes `LAST First` or an initial."""
    r = rng.random()
    if r < 0.8:
        return f"{first} {last}"
    if r < 0.9:
        return f"{last.upper()} {first}"
    return f"{first[0]}. {last}"
