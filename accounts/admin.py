from django.contrib import admin

from accounts.models import User
from accounts.roles import role_label
from audit.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    # No password hash, groups or permissions: accounts change through the invitation and
    # membership services only.
    list_display = ("email", "full_name", "is_active", "is_staff", "organisation", "last_login")
    list_filter = ("is_active", "is_staff")
    search_fields = ("email", "full_name")
    list_select_related = ("firm_membership__firm", "agency_membership__agency")
    fields = (
        "email",
        "full_name",
        "organisation",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    )
    readonly_fields = fields

    @admin.display(description="organisation")
    def organisation(self, user: User) -> str:
        return role_label(user) or "—"
