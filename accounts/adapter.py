from allauth.account.adapter import DefaultAccountAdapter

from .forms.signup import SELF_SERVICE_ROLES
from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        role = data.get("role")
        # The form only offers the two self-service roles; this is the second line of
        # defence should another form reach here: anything else becomes a student.
        user.role = role if role in SELF_SERVICE_ROLES else User.Role.STUDENT
        user.first_name = data.get("first_name", "")
        user.last_name = data.get("last_name", "")
        if commit:
            user.save()
            from .services.profiles import profile_ensure_for_user

            profile_ensure_for_user(user=user)
        return user
