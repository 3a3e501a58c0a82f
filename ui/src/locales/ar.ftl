# العربية (Arabic, ar): texts of the citizen's screen around a form.
### Machine-made translation, not yet reviewed by a translator: have it checked before relying on it.

## The citizen's screen
citizen-loading = لحظة من فضلكم …
citizen-welcome = أهلًا وسهلًا
citizen-waiting = سترون هنا بعد قليل ما يُدخَل في طلبكم.
citizen-tagline = بياناتكم
citizen-review = يجري التحقق من بياناتكم
citizen-review-text = يُرجى مراجعة البيانات مع الموظف المختص.
citizen-thanks = شكرًا جزيلًا. تم تسجيل طلبكم.
final-title = اكتمل الطلب
step-progress = الخطوة { $number } من { $count }

## A form's items
error-prefix = خطأ:
fees-title = الرسوم
yes = نعم
no = لا
choose = يُرجى الاختيار …
date-placeholder = يوم.شهر.سنة
address-street = الشارع
address-houseNumber = رقم المنزل
address-postcode = الرمز البريدي
address-city = المدينة أو البلدة

## Repeat groups
repeat-entry = إدخال
repeat-add = إضافة: { $item }
repeat-remove = إزالة
repeat-remove-named = إزالة: { $item }
repeat-count = { $count } من { $max } كحد أقصى
repeat-empty = لم يُدخَل شيء بعد.

## Files, photos, signatures
files-note =
    { $max ->
        [zero] لا ملفات.
        [one] ملف واحد.
        [two] ملفان كحد أقصى.
        [few] حتى { $max } ملفات.
        [many] حتى { $max } ملفًا.
       *[other] حتى { $max } ملف.
    }
files-full =
    { $max ->
        [zero] لا يمكن إرفاق ملفات.
        [one] تم إرفاق الملف. لاستبداله، أزيلوه أولًا.
        [two] تم إرفاق ملفين، ولا يمكن إرفاق المزيد. للاستبدال، أزيلوا أحدهما أولًا.
        [few] تم إرفاق { $max } ملفات، ولا يمكن إرفاق المزيد. للاستبدال، أزيلوا أحدها أولًا.
        [many] تم إرفاق { $max } ملفًا، ولا يمكن إرفاق المزيد. للاستبدال، أزيلوا أحدها أولًا.
       *[other] تم إرفاق { $max } ملف، ولا يمكن إرفاق المزيد. للاستبدال، أزيلوا أحدها أولًا.
    }
files-none = لم يُرفَق أي ملف بعد.
files-sending = يُحفظ «{ $name }» مشفّرًا … { $percent }%
files-list = المرفقات: { $label }
files-choose = اختيار ملف
files-choose-many = اختيار ملفات
file-remove = إزالة
file-remove-named = إزالة: { $name }
signature-note = وقّعوا على لوحة التوقيع أو باستخدام الفأرة، ثم اضغطوا «اعتماد».
signature-accepted = { $label }: التوقيع المعتمد
signature-present = التوقيع موجود.
signature-missing = لم يتم التوقيع بعد.
signature-clear = مسح
signature-accept = اعتماد
