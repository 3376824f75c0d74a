"""Made-up but plausible names, titles and descriptions in the catalogue's languages.

Titles are built from stems and parts a real catalogue has ("Commentary on ...", "شرح ...",
"Lesson 12"); descriptions join sentences of the title's language to a length drawn from a
skewed distribution (most a few lines, some several paragraphs, some empty). A share of the
Arabic is written with full diacritics, as many Arabic catalogues do for Qur'an and hadith.
"""

from __future__ import annotations

import random

# Share of each content language (codes from the languages table of migration 0001).
LANGUAGE_SHARES = (("ar", 45), ("en", 30), ("ur", 7), ("id", 5), ("fr", 4), ("tr", 4), ("fa", 3))
LANGUAGE_CODES = tuple(code for code, _ in LANGUAGE_SHARES)
LANGUAGE_WEIGHTS = tuple(weight for _, weight in LANGUAGE_SHARES)

FIRST_NAMES = (
    ("Abdullah", "عبد الله"),
    ("Muhammad", "محمد"),
    ("Ahmad", "أحمد"),
    ("Yusuf", "يوسف"),
    ("Ibrahim", "إبراهيم"),
    ("Khalid", "خالد"),
    ("Salih", "صالح"),
    ("Abd al-Rahman", "عبد الرحمن"),
    ("Umar", "عمر"),
    ("Hasan", "حسن"),
    ("Sulayman", "سليمان"),
    ("Zayd", "زيد"),
    ("Maryam", "مريم"),
    ("Aisha", "عائشة"),
    ("Fatima", "فاطمة"),
)
FAMILY_NAMES = (
    ("al-Harbi", "الحربي"),
    ("al-Qahtani", "القحطاني"),
    ("al-Shinqiti", "الشنقيطي"),
    ("al-Misri", "المصري"),
    ("al-Maliki", "المالكي"),
    ("al-Tamimi", "التميمي"),
    ("al-Hashimi", "الهاشمي"),
    ("al-Andalusi", "الأندلسي"),
    ("al-Baghdadi", "البغدادي"),
    ("al-Dimashqi", "الدمشقي"),
    ("al-Yamani", "اليمني"),
    ("Hamza", "حمزة"),
    ("Karim", "كريم"),
    ("Rashid", "راشد"),
    ("al-Zubayri", "الزبيري"),
    ("al-Ansari", "الأنصاري"),
    ("al-Kindi", "الكندي"),
    ("al-Hanbali", "الحنبلي"),
    ("al-Shafii", "الشافعي"),
    ("al-Tunisi", "التونسي"),
)

# (slug words, title) per language; Arabic stems come plain and with diacritics.
ARABIC_STEMS = (
    ("sharh-al-arbain", "شرح الأربعين النووية", "شَرْحُ الأَرْبَعِينَ النَّوَوِيَّةِ"),
    ("tafsir-al-kahf", "تفسير سورة الكهف", "تَفْسِيرُ سُورَةِ الكَهْفِ"),
    ("tafsir-juz-amma", "تفسير جزء عم", "تَفْسِيرُ جُزْءِ عَمَّ"),
    ("umdat-al-ahkam", "شرح عمدة الأحكام", "شَرْحُ عُمْدَةِ الأَحْكَامِ"),
    ("bulugh-al-maram", "بلوغ المرام من أدلة الأحكام", "بُلُوغُ المَرَامِ مِنْ أَدِلَّةِ الأَحْكَامِ"),
    ("al-aqidah", "دروس في العقيدة الطحاوية", "دُرُوسٌ فِي العَقِيدَةِ الطَّحَاوِيَّةِ"),
    ("as-sirah", "السيرة النبوية", "السِّيرَةُ النَّبَوِيَّةُ"),
    ("riyad-as-salihin", "رياض الصالحين", "رِيَاضُ الصَّالِحِينَ"),
    ("usul-al-fiqh", "مقدمة في أصول الفقه", "مُقَدِّمَةٌ فِي أُصُولِ الفِقْهِ"),
    ("al-adab", "الأدب المفرد", "الأَدَبُ المُفْرَدُ"),
    ("zad-al-mustaqni", "شرح زاد المستقنع", "شَرْحُ زَادِ المُسْتَقْنِعِ"),
    ("al-ajurrumiyyah", "متن الآجرومية في النحو", "مَتْنُ الآجُرُّومِيَّةِ فِي النَّحْوِ"),
)
STEMS = {
    "en": (
        ("forty-hadith", "Commentary on the Forty Hadith of al-Nawawi"),
        ("tafsir-surah-kahf", "Tafsir of Surah al-Kahf"),
        ("foundations-of-faith", "The Foundations of Faith"),
        ("life-of-the-prophet", "The Life of the Prophet"),
        ("principles-of-fiqh", "An Introduction to the Principles of Fiqh"),
        ("purification-of-the-soul", "Purification of the Soul"),
        ("ramadan-reminders", "Ramadan Reminders"),
        ("arabic-grammar", "Arabic Grammar for Beginners"),
        ("night-prayer", "The Night Prayer and Its Virtues"),
        ("good-character", "Good Character in the Sunnah"),
    ),
    "ur": (
        ("seerat-un-nabi", "سیرت النبی"),
        ("tafseer-quran", "تفسیر القرآن"),
        ("fiqh-ke-masail", "فقہ کے مسائل"),
        ("islahi-bayan", "اصلاحی بیان"),
    ),
    "fa": (
        ("tafsir-quran-fa", "تفسیر قرآن کریم"),
        ("akhlaq", "درس‌های اخلاق"),
        ("sirah-fa", "سیره پیامبر"),
    ),
    "fr": (
        ("les-quarante-hadiths", "Commentaire des quarante hadiths"),
        ("la-priere", "La prière : règles et sagesse"),
        ("vie-du-prophete", "La vie du Prophète"),
    ),
    "id": (
        ("kajian-tafsir", "Kajian Tafsir Al-Qur'an"),
        ("fiqih-ibadah", "Fiqih Ibadah Sehari-hari"),
        ("sirah-nabawiyah", "Sirah Nabawiyah"),
    ),
    "tr": (
        ("kirk-hadis", "Kırk Hadis Şerhi"),
        ("siyer-dersleri", "Siyer Dersleri"),
        ("ilmihal", "İlmihal Sohbetleri"),
    ),
}
LESSON = {
    "ar": ("الدرس", "المجلس"),
    "ar-d": ("الدَّرْسُ", "المَجْلِسُ"),
    "en": ("Lesson", "Session", "Part"),
    "ur": ("درس", "بیان"),
    "fa": ("جلسه",),
    "fr": ("Leçon", "Séance"),
    "id": ("Kajian", "Pertemuan"),
    "tr": ("Ders", "Sohbet"),
}
SENTENCES = {
    "ar": (
        "يتناول هذا الدرس معاني الحديث وفوائده.",
        "ويشرح الشيخ الألفاظ الغريبة ويذكر أقوال أهل العلم.",
        "مع بيان الأحكام المستنبطة والآداب المتعلقة بها.",
        "وفي آخر المجلس أجوبة عن أسئلة الحاضرين.",
        "سجل هذا الدرس في المسجد الجامع بعد صلاة العشاء.",
        "ويربط الشيخ بين النصوص وواقع الناس اليوم.",
    ),
    "ar-d": (
        "قَالَ رَسُولُ اللَّهِ ﷺ: إِنَّمَا الأَعْمَالُ بِالنِّيَّاتِ.",
        "وَيَشْرَحُ الشَّيْخُ مَعْنَى الحَدِيثِ وَفَوَائِدَهُ.",
        "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ، الحَمْدُ لِلَّهِ رَبِّ العَالَمِينَ.",
        "مَعَ بَيَانِ الأَحْكَامِ المُسْتَنْبَطَةِ مِنَ الآيَاتِ.",
    ),
    "en": (
        "In this lesson the speaker explains the meaning of the text line by line.",
        "He draws out the rulings and the manners that follow from it.",
        "The session ends with questions from the audience.",
        "Recorded after the evening prayer at the community mosque.",
        "A reminder for anyone starting to study the subject.",
        "References to the classical commentaries are given throughout.",
    ),
    "ur": (
        "اس درس میں حدیث کی تشریح کی گئی ہے۔",
        "آخر میں سوالات کے جوابات دیے گئے ہیں۔",
        "یہ بیان جامع مسجد میں ریکارڈ کیا گیا۔",
    ),
    "fa": ("در این جلسه معنای آیات شرح داده می‌شود.", "پرسش و پاسخ در پایان جلسه."),
    "fr": (
        "Dans cette leçon, le texte est expliqué phrase par phrase.",
        "La séance se termine par les questions de l'assistance.",
        "Enregistré après la prière du soir.",
    ),
    "id": (
        "Dalam kajian ini dijelaskan makna hadits dan faedahnya.",
        "Kajian diakhiri dengan sesi tanya jawab.",
        "Direkam di masjid setelah shalat Isya.",
    ),
    "tr": (
        "Bu derste hadisin anlamı ve faydaları anlatılıyor.",
        "Sohbet soru ve cevaplarla sona eriyor.",
        "Yatsı namazından sonra camide kaydedildi.",
    ),
}
DIACRITICS_SHARE = 0.3


def arabic_with_diacritics(rng: random.Random, code: str) -> bool:
    return code == "ar" and rng.random() < DIACRITICS_SHARE


def stem(rng: random.Random, code: str, marked: bool) -> tuple[str, str]:
    """(slug words, title) of a series or lecture topic in language `code`."""
    if code == "ar":
        words, plain, diacritised = rng.choice(ARABIC_STEMS)
        return words, diacritised if marked else plain
    return rng.choice(STEMS[code])


def lesson_title(rng: random.Random, code: str, marked: bool, title: str, position: int) -> str:
    """The title of a lecture at `position` of a series titled `title`."""
    word = rng.choice(LESSON["ar-d" if marked else code])
    if rng.random() < 0.5:
        return f"{title} — {word} {position}"
    return f"{word} {position}: {title}"


def description(rng: random.Random, code: str, marked: bool) -> str:
    """Empty for one in ten; otherwise one to about thirty sentences (most under eight)."""
    if rng.random() < 0.1:
        return ""
    count = 1 + min(int(rng.expovariate(1 / 5)), 30)
    pool = SENTENCES["ar-d" if marked else code]
    return " ".join(rng.choices(pool, k=count))


def person_name(rng: random.Random) -> tuple[str, str]:
    """(Latin transliteration, Arabic) of a scholar's or listener's name."""
    first, first_ar = rng.choice(FIRST_NAMES)
    family, family_ar = rng.choice(FAMILY_NAMES)
    return f"{first} {family}", f"{first_ar} {family_ar}"
