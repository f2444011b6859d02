from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from unionapp.models import Assignment, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        # The path is maintained by Unit.add() and Unit.move_to(); the form only edits the rest.
        if not change:
            new = Unit.add(name=obj.name, code=obj.code, kind=obj.kind, parent=obj.parent, is_active=obj.is_active)
            obj.pk, obj.path, obj.depth = new.pk, new.path, new.depth
            return
        new_parent = obj.parent
        Unit.objects.filter(pk=obj.pk).update(name=obj.name, code=obj.code, is_active=obj.is_active)
        if "parent" in form.changed_data:
            obj.move_to(new_parent)

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


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    autocomplete_fields = ["unit", "user"]
