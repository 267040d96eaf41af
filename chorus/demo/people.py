"""The demo's cast: names in five languages, B2B accounts, referrer sites.

Each name is (as written, romanised for the email address), so an Arabic or Japanese
advocate shows their name in their own script while their address stays ASCII.
"""

FIRST_NAMES = {
    "en": [
        ("Olivia", "olivia"), ("Liam", "liam"), ("Emma", "emma"), ("Noah", "noah"), ("Ava", "ava"),
        ("Ethan", "ethan"), ("Sophia", "sophia"), ("Lucas", "lucas"), ("Grace", "grace"), ("Owen", "owen"),
        ("Chloe", "chloe"), ("Jack", "jack"), ("Priya", "priya"), ("Daniel", "daniel"), ("Zoe", "zoe"),
        ("Marcus", "marcus"), ("Hannah", "hannah"), ("Samuel", "samuel"), ("Isla", "isla"), ("Aaron", "aaron"),
    ],
    "de": [
        ("Lena", "lena"), ("Jonas", "jonas"), ("Mia", "mia"), ("Felix", "felix"), ("Hanna", "hanna"),
        ("Lukas", "lukas"), ("Jürgen", "juergen"), ("Sabine", "sabine"), ("Matthias", "matthias"),
        ("Katrin", "katrin"), ("Tobias", "tobias"), ("Anja", "anja"), ("Björn", "bjoern"), ("Greta", "greta"),
    ],
    "pl": [
        ("Zofia", "zofia"), ("Jakub", "jakub"), ("Małgorzata", "malgorzata"), ("Piotr", "piotr"),
        ("Agnieszka", "agnieszka"), ("Łukasz", "lukasz"), ("Katarzyna", "katarzyna"), ("Michał", "michal"),
        ("Joanna", "joanna"), ("Paweł", "pawel"), ("Ewa", "ewa"), ("Tomasz", "tomasz"),
    ],
    "ja": [
        ("陽菜", "hina"), ("蓮", "ren"), ("結衣", "yui"), ("大翔", "hiroto"), ("さくら", "sakura"),
        ("健太", "kenta"), ("美咲", "misaki"), ("翔太", "shota"), ("葵", "aoi"), ("拓海", "takumi"),
        ("愛子", "aiko"), ("直樹", "naoki"),
    ],
    "ar": [
        ("ليلى", "layla"), ("عمر", "omar"), ("فاطمة", "fatima"), ("يوسف", "youssef"), ("نور", "nour"),
        ("خالد", "khaled"), ("مريم", "maryam"), ("أحمد", "ahmed"), ("سارة", "sara"), ("كريم", "karim"),
        ("هدى", "huda"), ("طارق", "tarek"),
    ],
}

LAST_NAMES = {
    "en": [
        ("Johnson", "johnson"), ("Okafor", "okafor"), ("Nguyen", "nguyen"), ("Patel", "patel"),
        ("Murphy", "murphy"), ("Walker", "walker"), ("Rossi", "rossi"), ("Kim", "kim"), ("Brooks", "brooks"),
        ("Garcia", "garcia"), ("O'Neill", "oneill"), ("Fischer", "fischer"), ("Hughes", "hughes"),
        ("Silva", "silva"), ("Bennett", "bennett"), ("Chen", "chen"),
    ],
    "de": [
        ("Müller", "mueller"), ("Schmidt", "schmidt"), ("Weber", "weber"), ("Wagner", "wagner"),
        ("Becker", "becker"), ("Hoffmann", "hoffmann"), ("Schäfer", "schaefer"), ("Koch", "koch"),
        ("Richter", "richter"), ("Krüger", "krueger"), ("Neumann", "neumann"), ("Wolf", "wolf"),
    ],
    "pl": [  # surnames that do not change with gender
        ("Nowak", "nowak"), ("Wójcik", "wojcik"), ("Kowalczyk", "kowalczyk"), ("Kaczmarek", "kaczmarek"),
        ("Mazur", "mazur"), ("Krawczyk", "krawczyk"), ("Zając", "zajac"), ("Król", "krol"),
        ("Wieczorek", "wieczorek"), ("Dudek", "dudek"),
    ],
    "ja": [
        ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"), ("伊藤", "ito"),
        ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"), ("小林", "kobayashi"), ("加藤", "kato"),
    ],
    "ar": [
        ("الحداد", "haddad"), ("المصري", "masri"), ("العلي", "alali"), ("الخطيب", "khatib"),
        ("النجار", "najjar"), ("الشامي", "shami"), ("الزين", "zein"), ("السيد", "sayed"),
        ("عبد الله", "abdullah"), ("منصور", "mansour"),
    ],
}

# Japanese names are written family name first, without a space.
NAME_ORDER_FAMILY_FIRST = {"ja"}

# Share of advocates per language (the rest of the cast follows the same mix).
LANGUAGE_WEIGHTS = {"en": 40, "de": 18, "pl": 14, "ja": 14, "ar": 14}

EMAIL_DOMAINS = {
    "en": ["example.com", "example.org", "mail.example"],
    "de": ["post.example", "mailbox.example"],
    "pl": ["poczta.example", "skrzynka.example"],
    "ja": ["mail.jp.example", "example.net"],
    "ar": ["bareed.example", "example.net"],
}

# B2B customers of Acme Analytics: several advocates can belong to one.
ACCOUNTS = [
    ("Northwind Logistics", "northwind.example", "en"),
    ("Globex Retail", "globex.example", "en"),
    ("Brightline Health", "brightline.example", "en"),
    ("Müller & Söhne GmbH", "mueller-soehne.example", "de"),
    ("Rheinwerk Energie", "rheinwerk.example", "de"),
    ("Wisła Software", "wisla.example", "pl"),
    ("Kanagawa Robotics 株式会社", "kanagawa-robotics.example", "ja"),
    ("Sakura Foods", "sakura-foods.example", "ja"),
    ("Al Noor Trading", "alnoor.example", "ar"),
    ("Desert Bloom Hospitality", "desertbloom.example", "ar"),
]

REFERRERS = [
    ("https://www.linkedin.com/", 26),
    ("https://mail.google.com/", 18),
    ("https://web.whatsapp.com/", 14),
    ("https://x.com/", 9),
    ("https://www.facebook.com/", 8),
    ("https://slack.com/", 7),
    ("", 18),
]

DEVICES = [("mobile", 55), ("desktop", 38), ("tablet", 7)]

# Acme Analytics' plans: (name, price in cents per month).
PLANS = [("starter", 2900), ("team", 9900), ("business", 29900)]
PLAN_WEIGHTS = [50, 38, 12]
