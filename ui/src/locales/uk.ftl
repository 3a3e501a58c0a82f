# Українська: тексти екрана громадянина навколо формуляра (хід заповнення, частини адреси, так і ні, файли, підпис).
### Machine-made translation, not yet reviewed by a translator: have it checked before relying on it.

## The citizen's screen
citizen-loading = Зачекайте, будь ласка …
citizen-welcome = Ласкаво просимо
citizen-waiting = Незабаром Ви побачите тут, що вноситься до Вашої заяви.
citizen-tagline = Ваші дані
citizen-review = Ваші дані перевіряються
citizen-review-text = Будь ласка, перегляньте дані разом із працівником установи.
citizen-thanks = Дякуємо. Вашу заяву прийнято.
final-title = Заяву завершено
step-progress = Крок { $number } з { $count }

## A form's items
error-prefix = Помилка:
fees-title = Збори
yes = Так
no = Ні
choose = Будь ласка, виберіть …
date-placeholder = ДД.ММ.РРРР
address-street = Вулиця
address-houseNumber = Номер будинку
address-postcode = Поштовий індекс
address-city = Населений пункт

## Repeat groups
repeat-entry = Запис
repeat-add = Додати: { $item }
repeat-remove = Видалити
repeat-remove-named = Видалити: { $item }
repeat-count = { $count } з максимум { $max }
repeat-empty = Ще нічого не внесено.

## Files, photos, signatures
files-note =
    { $max ->
        [one] Не більше { $max } файлу.
        [few] Не більше { $max } файлів.
        [many] Не більше { $max } файлів.
       *[other] Не більше { $max } файлу.
    }
files-full =
    { $max ->
        [one] Додано { $max } файл, більше не можна. Щоб замінити, спочатку видаліть його.
        [few] Додано { $max } файли, більше не можна. Щоб замінити, спочатку видаліть один.
        [many] Додано { $max } файлів, більше не можна. Щоб замінити, спочатку видаліть один.
       *[other] Додано { $max } файлу, більше не можна. Щоб замінити, спочатку видаліть один.
    }
files-none = Файл ще не додано.
files-sending = «{ $name }» зберігається в зашифрованому вигляді … { $percent } %
files-list = Додано: { $label }
files-choose = Вибрати файл
files-choose-many = Вибрати файли
file-remove = Видалити
file-remove-named = Видалити: { $name }
signature-note = Підпишіться на планшеті для підпису або мишею, потім натисніть «Прийняти».
signature-accepted = { $label }: підпис прийнято
signature-present = Підпис наявний.
signature-missing = Ще не підписано.
signature-clear = Стерти
signature-accept = Прийняти
