"""WTForms forms. Field markup lives in templates/macros/forms.html only."""
