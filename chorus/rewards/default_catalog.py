"""The catalog a new program starts with (I6): one item of each kind, in all five languages.

The marketer edits, deactivates or replaces them; installing twice adds nothing."""

from django.db import transaction

from .models import CatalogItem

DEFAULT_CATALOG = [
    {"kind": "status", "fulfilment": "manual", "cost_points": 1500, "per_advocate_limit": 1, "min_level_rank": 1,
     "titles": {"en": "Be featured on our website", "ar": "ظهورك على موقعنا الإلكتروني",
                "de": "Vorgestellt auf unserer Website", "ja": "当社ウェブサイトで紹介", "pl": "Wyróżnienie na naszej stronie"},
     "descriptions": {"en": "We tell your story in a customer spotlight on our website.",
                      "ar": "نروي قصتك في فقرة مخصصة للعملاء على موقعنا.",
                      "de": "Wir erzählen Ihre Geschichte in einem Kundenporträt auf unserer Website.",
                      "ja": "お客様のストーリーを当社ウェブサイトの特集でご紹介します。",
                      "pl": "Opowiemy Twoją historię w sekcji o klientach na naszej stronie."}},
    {"kind": "access", "fulfilment": "manual", "cost_points": 500, "per_advocate_limit": 1,
     "titles": {"en": "Early access to the beta", "ar": "وصول مبكر إلى النسخة التجريبية",
                "de": "Früher Zugang zur Beta", "ja": "ベータ版への先行アクセス", "pl": "Wczesny dostęp do wersji beta"},
     "descriptions": {"en": "Try new features before anyone else and tell us what you think.",
                      "ar": "جرّب الميزات الجديدة قبل الجميع وأخبرنا برأيك.",
                      "de": "Testen Sie neue Funktionen vor allen anderen und sagen Sie uns Ihre Meinung.",
                      "ja": "新機能を誰よりも早く試して、ご意見をお聞かせください。",
                      "pl": "Wypróbuj nowe funkcje przed innymi i powiedz nam, co o nich myślisz."}},
    {"kind": "power", "fulfilment": "manual", "cost_points": 300, "per_advocate_limit": 3,
     "titles": {"en": "A vote on our roadmap", "ar": "صوت في خارطة طريقنا",
                "de": "Eine Stimme für unsere Roadmap", "ja": "ロードマップへの投票権", "pl": "Głos w sprawie naszej mapy rozwoju"},
     "descriptions": {"en": "Choose which planned feature we build next.",
                      "ar": "اختر الميزة المخطط لها التي سنبنيها بعد ذلك.",
                      "de": "Bestimmen Sie mit, welche geplante Funktion wir als Nächstes bauen.",
                      "ja": "次に開発する予定の機能を選んでください。",
                      "pl": "Wybierz, którą z planowanych funkcji zbudujemy jako następną."}},
    {"kind": "stuff", "fulfilment": "shipping", "cost_points": 800, "per_advocate_limit": 2,
     "titles": {"en": "Swag pack", "ar": "حزمة هدايا", "de": "Fanartikel-Paket", "ja": "オリジナルグッズセット",
                "pl": "Pakiet gadżetów"},
     "descriptions": {"en": "A T-shirt, stickers and a mug, shipped to your door.",
                      "ar": "قميص وملصقات وكوب، تصلك حتى باب منزلك.",
                      "de": "Ein T-Shirt, Aufkleber und eine Tasse, direkt zu Ihnen nach Hause.",
                      "ja": "Tシャツ、ステッカー、マグカップをご自宅にお届けします。",
                      "pl": "Koszulka, naklejki i kubek, wysłane prosto do Ciebie."}},
    {"kind": "charity", "fulfilment": "charity", "cost_points": 1000, "value_amount": 1000,
     "titles": {"en": "Donate to a good cause", "ar": "تبرّع لقضية خيرية", "de": "Für einen guten Zweck spenden",
                "ja": "社会貢献活動に寄付", "pl": "Przekaż darowiznę na szczytny cel"},
     "descriptions": {"en": "We donate in your name to the cause you choose.",
                      "ar": "نتبرع باسمك للقضية التي تختارها.",
                      "de": "Wir spenden in Ihrem Namen für den Zweck, den Sie wählen.",
                      "ja": "お客様のお名前で、お選びいただいた活動に寄付します。",
                      "pl": "Przekażemy darowiznę w Twoim imieniu na wybrany przez Ciebie cel."},
     "causes": [
         {"key": "clean-water", "names": {"en": "Clean water", "ar": "مياه نظيفة", "de": "Sauberes Wasser",
                                          "ja": "きれいな水", "pl": "Czysta woda"}},
         {"key": "reforestation", "names": {"en": "Reforestation", "ar": "إعادة التشجير", "de": "Aufforstung",
                                            "ja": "森林再生", "pl": "Zalesianie"}},
         {"key": "education", "names": {"en": "Education", "ar": "التعليم", "de": "Bildung", "ja": "教育",
                                        "pl": "Edukacja"}},
     ]},
    {"kind": "subscription", "fulfilment": "generated_code", "cost_points": 1200, "subscription_months": 1,
     "code_prefix": "MONTH",
     "titles": {"en": "One month free", "ar": "شهر مجاني", "de": "Ein Monat gratis", "ja": "1か月無料",
                "pl": "Miesiąc za darmo"},
     "descriptions": {"en": "A code for one free month of your subscription.",
                      "ar": "رمز لشهر مجاني من اشتراكك.",
                      "de": "Ein Code für einen kostenlosen Monat Ihres Abonnements.",
                      "ja": "ご利用中のサブスクリプションが1か月無料になるコードです。",
                      "pl": "Kod na jeden darmowy miesiąc Twojej subskrypcji."}},
]


@transaction.atomic
def install_default_catalog(program) -> list[CatalogItem]:
    """Create the default catalog unless the program has catalog items already (idempotent)."""
    if program.catalog_items.exists():
        return list(program.catalog_items.all())
    levels = {level.rank: level for level in program.levels.all()}
    items = []
    for spec in DEFAULT_CATALOG:
        spec = dict(spec)
        rank = spec.pop("min_level_rank", None)
        items.append(CatalogItem.objects.create(
            program=program, title=spec["titles"]["en"], description=spec["descriptions"]["en"],
            min_level=levels.get(rank) if rank is not None else None, **spec))
    return items
