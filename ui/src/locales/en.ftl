# The desk's interface in English. A message missing here shows in German.

## The frame
tagline = Form assistant for the citizens' office
to-start = To the start page
ui-lang-label = Interface
help-button = Shortcuts
error-unexpected = Unexpected error: { $detail }

## Start
start-new = New case
search-label = Find a service
search-placeholder = e.g. dog, fell a tree, parking permit, WBS
search-hint = Choose a result with ↑ and ↓, open it with Enter.
results-label = Services
forms-loading = Loading services …
forms-all =
    { $count ->
        [one] 1 service installed
       *[other] { $count } services installed
    }
search-running = Searching …
search-none = No service matches “{ $query }”.
search-count =
    { $count ->
        [one] 1 result for “{ $query }”
       *[other] { $count } results for “{ $query }”
    }
drafts-title = Unfinished and recent cases
drafts-none = No cases yet. Unfinished and finalized cases show here.
draft-changed = Last changed:
draft-number = Case { $id }
status-open = in progress
status-final = finalized

## Wizard
citizen-lang-label = Citizen's language
steps-label = Steps
step-review = Review
step-has-errors = (has errors)
step-progress = Step { $number } of { $count }
step-hidden = This step is no longer needed after the latest changes. “Next” leads on.
required-note = Required
error-prefix = Error:
error-summary =
    { $count ->
        [one] 1 entry is missing or wrong:
       *[other] { $count } entries are missing or wrong:
    }
step-check-failed =
    { $count ->
        [one] Please check the marked entry.
       *[other] Please check the { $count } marked entries.
    }
review-not-yet = The review opens once every step has been visited.
back = Back
next = Next
fees-title = Fees
yes = Yes
no = No
choose = Please choose …
date-placeholder = DD.MM.YYYY
address-street = Street
address-houseNumber = House number
address-postcode = Postcode
address-city = Town

## Repeat groups
repeat-entry = Entry
repeat-add = Add { $item }
repeat-remove = Remove
repeat-remove-named = Remove { $item }
repeat-count = { $count } of at most { $max }
repeat-empty = Nothing entered yet.
repeat-removed = Entry removed.

## Files, photos, signatures
files-note =
    { $max ->
        [one] One file.
       *[other] Up to { $max } files.
    }
files-full =
    { $max ->
        [one] The file is attached. Remove it first to replace it.
       *[other] { $max } files are attached, which is the limit. Remove one first to replace it.
    }
files-list = Attached: { $label }
files-choose = Choose file
files-choose-many = Choose files
file-remove = Remove
file-remove-named = Remove { $name }
photo-take = Take photo
photo-camera = Camera: { $label }
photo-preview = Camera picture
photo-shoot = Capture
cancel = Cancel
signature-note = Sign on the signature pad or with the mouse, then “Accept”.
signature-accepted = { $label }: accepted signature
signature-present = The signature is there.
signature-clear = Clear
signature-accept = Accept

## Review
review-title = Review and finalize
review-title-final = Entries in the application
review-intro = Please go through the entries together with the citizen.
review-loading = Loading the overview …
review-incomplete =
    { $count ->
        [one] 1 entry is still missing or wrong. “Change” leads straight to the field.
       *[other] { $count } entries are still missing or wrong. “Change” leads straight to the field.
    }
review-step-incomplete = incomplete
review-step-empty = No entries in this step.
review-missing = missing
edit = Change
edit-named = Change: { $label }
finalize = Finalize
final-title = Application finalized
final-number = Case number:
final-text = The application is finalized and can no longer be changed.
new-case = New case

## Shortcuts
help-title = Keyboard shortcuts
help-intro = Everything works without a mouse: Tab moves from field to field, Space or Enter presses buttons.
help-keys = Keys
help-action = Action
help-or = or
key-ctrl = Ctrl
shortcut-search = Find a service (goes to the start page)
shortcut-results = Choose and open a result
shortcut-next = Next step
shortcut-back = Previous step
shortcut-review = Review (once every step was visited)
shortcut-help = Open this overview
shortcut-close = Close the overview
close = Close

## The citizen's screen
citizen-open = Citizen view
citizen-window-title = Formdesk – view for citizens
citizen-tagline = Your details
citizen-loading = One moment please …
citizen-welcome = Welcome
citizen-waiting = Here you will see what is being entered for your application.
citizen-review = Your details are being checked
citizen-review-text = Please go through the details together with the clerk.
citizen-thanks = Thank you. Your application has been taken.
