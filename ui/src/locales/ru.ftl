# Русский (Russian, ru): тексты экрана гражданина вокруг формы.
### Machine-made translation, not yet reviewed by a translator: have it checked before relying on it.

## The citizen's screen
citizen-loading = Одну минуту, пожалуйста …
citizen-welcome = Добро пожаловать
citizen-waiting = Скоро здесь появятся сведения, которые вносятся для Вашего заявления.
citizen-tagline = Ваши сведения
citizen-review = Ваши сведения проверяются
citizen-review-text = Пожалуйста, просмотрите сведения вместе с сотрудником.
citizen-thanks = Благодарим Вас. Ваше заявление принято.
final-title = Заявление оформлено
step-progress = Шаг { $number } из { $count }

## A form's items
error-prefix = Ошибка:
fees-title = Сборы
yes = Да
no = Нет
choose = Пожалуйста, выберите …
date-placeholder = ДД.ММ.ГГГГ
address-street = Улица
address-houseNumber = Номер дома
address-postcode = Почтовый индекс
address-city = Населённый пункт

## Repeat groups
repeat-entry = Запись
repeat-add = Добавить: { $item }
repeat-remove = Удалить
repeat-remove-named = Удалить: { $item }
repeat-count = { $count } из максимум { $max }
repeat-empty = Пока ничего не внесено.

## Files, photos, signatures
files-note =
    { $max ->
        [1] Только один файл.
        [one] Не более { $max } файла.
        [few] Не более { $max } файлов.
        [many] Не более { $max } файлов.
       *[other] Не более { $max } файла.
    }
files-full =
    { $max ->
        [1] Файл добавлен. Чтобы заменить его, сначала удалите его.
        [one] Добавлен { $max } файл, больше добавить нельзя. Чтобы заменить файл, сначала удалите один из них.
        [few] Добавлено { $max } файла, больше добавить нельзя. Чтобы заменить файл, сначала удалите один из них.
        [many] Добавлено { $max } файлов, больше добавить нельзя. Чтобы заменить файл, сначала удалите один из них.
       *[other] Добавлено { $max } файла, больше добавить нельзя. Чтобы заменить файл, сначала удалите один из них.
    }
files-none = Файлы пока не добавлены.
files-sending = «{ $name }» сохраняется в зашифрованном виде … { $percent } %
files-list = Вложения: { $label }
files-choose = Выбрать файл
files-choose-many = Выбрать файлы
file-remove = Удалить
file-remove-named = Удалить: { $name }
signature-note = Распишитесь на планшете для подписи или мышью, затем нажмите «Подтвердить».
signature-accepted = { $label }: принятая подпись
signature-present = Подпись имеется.
signature-missing = Ещё не подписано.
signature-clear = Стереть
signature-accept = Подтвердить
