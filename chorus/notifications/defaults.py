"""The program's default email templates (starter pack, I6), in the five shipped languages.

Other parts add their own defaults with `templates.ensure_default_template` (e.g. the NPS
survey, invitations)."""

from .models import Category
from .templates import ensure_default_template

DEFAULT_TEMPLATES = {
    "reward_earned": {
        "name": "Reward earned", "category": Category.REWARDS,
        "texts": {
            "en": {"subject": "You earned {{ reward }}", "preheader": "Thank you for speaking up for {{ program }}.",
                   "body": "Hi {{ first_name }},\n\nThanks to you, {{ reward }} is yours. You now have **{{ points }} points**.",
                   "cta": "See my rewards"},
            "ar": {"subject": "لقد ربحت {{ reward }}", "preheader": "شكرًا لأنك تتحدث عن {{ program }}.",
                   "body": "مرحبًا {{ first_name }}،\n\nبفضلك أصبحت {{ reward }} لك. لديك الآن **{{ points }} نقطة**.",
                   "cta": "عرض مكافآتي"},
            "de": {"subject": "Sie haben {{ reward }} erhalten", "preheader": "Danke, dass Sie {{ program }} empfehlen.",
                   "body": "Hallo {{ first_name }},\n\ndank Ihnen gehört {{ reward }} jetzt Ihnen. Sie haben nun **{{ points }} Punkte**.",
                   "cta": "Meine Prämien ansehen"},
            "ja": {"subject": "{{ reward }}を獲得しました", "preheader": "{{ program }}を広めていただきありがとうございます。",
                   "body": "{{ first_name }}さん\n\nあなたのおかげで{{ reward }}を獲得しました。現在のポイントは**{{ points }}ポイント**です。",
                   "cta": "特典を見る"},
            "pl": {"subject": "Zdobywasz {{ reward }}", "preheader": "Dziękujemy, że polecasz {{ program }}.",
                   "body": "Cześć {{ first_name }},\n\ndzięki Tobie {{ reward }} jest Twoja. Masz teraz **{{ points }} pkt**.",
                   "cta": "Zobacz moje nagrody"},
        },
    },
    "ask_expiring": {
        "name": "Ask about to expire", "category": Category.ASKS,
        "texts": {
            "en": {"subject": "Last chance: {{ ask }}", "preheader": "It ends on {{ deadline }}.",
                   "body": "Hi {{ first_name }},\n\n“{{ ask }}” ends on {{ deadline }}. There is still time to take part.",
                   "cta": "Take part now"},
            "ar": {"subject": "الفرصة الأخيرة: {{ ask }}", "preheader": "ينتهي في {{ deadline }}.",
                   "body": "مرحبًا {{ first_name }}،\n\nينتهي «{{ ask }}» في {{ deadline }}. ما زال هناك وقت للمشاركة.",
                   "cta": "شارك الآن"},
            "de": {"subject": "Letzte Chance: {{ ask }}", "preheader": "Endet am {{ deadline }}.",
                   "body": "Hallo {{ first_name }},\n\n„{{ ask }}“ endet am {{ deadline }}. Sie können noch mitmachen.",
                   "cta": "Jetzt mitmachen"},
            "ja": {"subject": "まもなく終了：{{ ask }}", "preheader": "{{ deadline }}に終了します。",
                   "body": "{{ first_name }}さん\n\n「{{ ask }}」は{{ deadline }}に終了します。まだ参加できます。",
                   "cta": "今すぐ参加する"},
            "pl": {"subject": "Ostatnia szansa: {{ ask }}", "preheader": "Kończy się {{ deadline }}.",
                   "body": "Cześć {{ first_name }},\n\n„{{ ask }}” kończy się {{ deadline }}. Wciąż możesz wziąć udział.",
                   "cta": "Weź udział"},
        },
    },
    "promoter_thanks": {
        "name": "Thanks, promoter", "category": Category.MARKETING,
        "texts": {
            "en": {"subject": "Thank you, {{ first_name }}!", "preheader": "Would you tell others about {{ program }}?",
                   "body": "Hi {{ first_name }},\n\nThank you for your kind words. Would you like to join the {{ program }} community and share what you like with others?",
                   "cta": "Join the community"},
            "ar": {"subject": "شكرًا لك يا {{ first_name }}!", "preheader": "هل تخبر الآخرين عن {{ program }}؟",
                   "body": "مرحبًا {{ first_name }}،\n\nشكرًا على كلماتك اللطيفة. هل تود الانضمام إلى مجتمع {{ program }} ومشاركة ما يعجبك مع الآخرين؟",
                   "cta": "انضم إلى المجتمع"},
            "de": {"subject": "Vielen Dank, {{ first_name }}!", "preheader": "Möchten Sie anderen von {{ program }} erzählen?",
                   "body": "Hallo {{ first_name }},\n\nvielen Dank für Ihre freundlichen Worte. Möchten Sie der {{ program }}-Community beitreten und anderen erzählen, was Ihnen gefällt?",
                   "cta": "Der Community beitreten"},
            "ja": {"subject": "{{ first_name }}さん、ありがとうございます！", "preheader": "{{ program }}を周りの方に紹介しませんか？",
                   "body": "{{ first_name }}さん\n\n温かいお言葉をありがとうございます。{{ program }}のコミュニティに参加して、気に入った点を共有しませんか？",
                   "cta": "コミュニティに参加する"},
            "pl": {"subject": "Dziękujemy, {{ first_name }}!", "preheader": "Opowiesz innym o {{ program }}?",
                   "body": "Cześć {{ first_name }},\n\ndziękujemy za miłe słowa. Czy chcesz dołączyć do społeczności {{ program }} i dzielić się tym, co lubisz?",
                   "cta": "Dołącz do społeczności"},
        },
    },
    "milestone_reached": {
        "name": "Milestone reached", "category": Category.REWARDS,
        "texts": {
            "en": {"subject": "Congratulations on {{ event }}!", "preheader": "A new ask is waiting for you.",
                   "body": "Hi {{ first_name }},\n\nCongratulations on reaching {{ event }}. We have something new for you in your hub.",
                   "cta": "Open my hub"},
            "ar": {"subject": "تهانينا على {{ event }}!", "preheader": "مهمة جديدة بانتظارك.",
                   "body": "مرحبًا {{ first_name }}،\n\nتهانينا على بلوغ {{ event }}. لدينا شيء جديد لك في مركزك.",
                   "cta": "افتح مركزي"},
            "de": {"subject": "Herzlichen Glückwunsch zu {{ event }}!", "preheader": "Eine neue Aufgabe wartet auf Sie.",
                   "body": "Hallo {{ first_name }},\n\nherzlichen Glückwunsch zu {{ event }}. In Ihrem Hub wartet etwas Neues auf Sie.",
                   "cta": "Meinen Hub öffnen"},
            "ja": {"subject": "{{ event }}達成おめでとうございます！", "preheader": "新しいお願いが届いています。",
                   "body": "{{ first_name }}さん\n\n{{ event }}の達成おめでとうございます。ハブに新しいお知らせがあります。",
                   "cta": "ハブを開く"},
            "pl": {"subject": "Gratulacje: {{ event }}!", "preheader": "Czeka na Ciebie nowe zadanie.",
                   "body": "Cześć {{ first_name }},\n\ngratulujemy osiągnięcia: {{ event }}. W Twoim hubie czeka coś nowego.",
                   "cta": "Otwórz mój hub"},
        },
    },
    "news": {
        "name": "Program news", "category": Category.MARKETING,
        "texts": {
            "en": {"subject": "News from {{ program }}", "preheader": "What is new for advocates this month.",
                   "body": "Hi {{ first_name }},\n\nHere is what is new in {{ program }} this month.\n\n- New asks to earn points\n- New rewards in the store",
                   "cta": "See what is new"},
            "ar": {"subject": "أخبار من {{ program }}", "preheader": "ما الجديد للسفراء هذا الشهر.",
                   "body": "مرحبًا {{ first_name }}،\n\nإليك الجديد في {{ program }} هذا الشهر.\n\n- مهام جديدة لكسب النقاط\n- مكافآت جديدة في المتجر",
                   "cta": "اطّلع على الجديد"},
            "de": {"subject": "Neuigkeiten von {{ program }}", "preheader": "Was es diesen Monat Neues gibt.",
                   "body": "Hallo {{ first_name }},\n\ndas ist neu bei {{ program }} in diesem Monat.\n\n- Neue Aufgaben, um Punkte zu sammeln\n- Neue Prämien im Shop",
                   "cta": "Neuigkeiten ansehen"},
            "ja": {"subject": "{{ program }}からのお知らせ", "preheader": "今月の新着情報です。",
                   "body": "{{ first_name }}さん\n\n今月の{{ program }}の新着情報です。\n\n- ポイントを獲得できる新しいお願い\n- ストアの新しい特典",
                   "cta": "新着情報を見る"},
            "pl": {"subject": "Nowości w {{ program }}", "preheader": "Co nowego w tym miesiącu.",
                   "body": "Cześć {{ first_name }},\n\noto nowości w {{ program }} w tym miesiącu.\n\n- Nowe zadania za punkty\n- Nowe nagrody w sklepie",
                   "cta": "Zobacz nowości"},
        },
    },
}


def install_default_templates(program) -> None:
    for key, spec in DEFAULT_TEMPLATES.items():
        ensure_default_template(program, key, spec["texts"], name=spec["name"], category=spec["category"])
