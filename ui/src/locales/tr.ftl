# Türkçe: only the texts around a form that the citizen's screen shows (progress, address parts, yes and
# no, files, signature). The clerk's interface is German or English (de.ftl, en.ftl); the form's own texts
# come from the form definition. A message missing here shows in German.

## The citizen's screen
citizen-loading = Bir dakika lütfen …
citizen-welcome = Hoş geldiniz
citizen-waiting = Başvurunuz için girilen bilgileri birazdan burada göreceksiniz.
citizen-tagline = Bilgileriniz
citizen-review = Bilgileriniz kontrol ediliyor
citizen-review-text = Lütfen bilgileri görevliyle birlikte gözden geçirin.
citizen-thanks = Teşekkür ederiz. Başvurunuz alındı.
final-title = Başvuru tamamlandı
step-progress = Adım { $number } / { $count }

## A form's items
error-prefix = Hata:
fees-title = Ücretler
yes = Evet
no = Hayır
choose = Lütfen seçin …
date-placeholder = GG.AA.YYYY
address-street = Sokak
address-houseNumber = Bina no.
address-postcode = Posta kodu
address-city = Şehir

## Repeat groups
repeat-entry = Kayıt
repeat-add = Ekle: { $item }
repeat-remove = Kaldır
repeat-remove-named = Kaldır: { $item }
repeat-count = { $count } / en fazla { $max }
repeat-empty = Henüz bir şey girilmedi.

## Files, photos, signatures
files-note =
    { $max ->
        [one] Tek dosya.
       *[other] En fazla { $max } dosya.
    }
files-full =
    { $max ->
        [one] Dosya eklendi. Değiştirmek için önce kaldırın.
       *[other] { $max } dosya eklendi, daha fazlası eklenemez. Değiştirmek için önce birini kaldırın.
    }
files-none = Henüz dosya eklenmedi.
files-sending = „{ $name }“ şifrelenerek kaydediliyor … %{ $percent }
files-list = Ekler: { $label }
files-choose = Dosya seç
files-choose-many = Dosyaları seç
file-remove = Kaldır
file-remove-named = Kaldır: { $name }
signature-note = İmza tabletinde veya fareyle imzalayın, ardından „Onayla“ düğmesine basın.
signature-accepted = { $label }: alınan imza
signature-present = İmza mevcut.
signature-missing = Henüz imzalanmadı.
signature-clear = Sil
signature-accept = Onayla
