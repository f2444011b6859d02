from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from unionapp import accounts, audit, units
from unionapp.models import Assignment, AuditEvent, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        # The path is maintained by Unit.add() and Unit.move_to() (through unionapp.units, as the app's pages).
        if not change:
            new = units.create_unit(
                parent=obj.parent, name=obj.name, code=obj.code, kind=obj.kind, by=request.user, request=request
            )
            if not obj.is_active:
                units.set_active(unit=new, active=False, by=request.user, request=request)
            obj.pk, obj.path, obj.depth = new.pk, new.path, new.depth
            return
        stored = Unit.objects.get(pk=obj.pk)
        units.change_unit(
            unit=stored,
            name=obj.name,
            code=obj.code,
            parent=obj.parent,
            is_active=obj.is_active,
            by=request.user,
            request=request,
        )
        obj.path, obj.depth = stored.path, stored.depth

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj else []


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 1
    autocomplete_fields = ["unit"]


admin.site.unregister(User)


@admin.register(User)
class UnionUserAdmin(UserAdmin):
    inlines = [AssignmentInline]

    # A password an administrator sets for someone else is temporary, as on the accounts pages: its holder
    # chooses their own at the next login.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            accounts.password_set_by_another(user=obj, by=request.user, request=request)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user != request.user and user.has_usable_password():
                accounts.password_set_by_another(user=user, by=request.user, request=request)
        return response

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _fields in formset.changed_objects]:
            audit.record(
                audit.Action.CHANGE, by=request.user, obj=obj, changes={"assignment": [None, str(obj)]}, request=request
            )
        for obj in formset.deleted_objects:
            audit.record(
                audit.Action.DELETE, by=request.user, obj=obj, changes={"assignment": [str(obj), None]}, request=request
            )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    autocomplete_fields = ["unit", "user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = audit.Action.CHANGE if change else audit.Action.CREATE
        audit.record(action, by=request.user, obj=obj, changes={"assignment": [None, str(obj)]}, request=request)

    def delete_model(self, request, obj):
        audit.record(
            audit.Action.DELETE, by=request.user, obj=obj, changes={"assignment": [str(obj), None]}, request=request
        )
        super().delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "label", "scope", "ip"]
    list_filter = ["action"]
    search_fields = ["username", "label"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
