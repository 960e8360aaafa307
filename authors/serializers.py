from rest_framework import serializers

from .models import Author


class AuthorSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = Author
        fields = [
            "id",
            "name",
            "book",
            "country",
            "booker_prize",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "owner", "created_at", "updated_at"]

    def validate_name(self, value: str) -> str:
        owner = self.instance.owner if self.instance else self.context["request"].user
        same_name = Author.objects.filter(owner=owner, name__iexact=value)
        if self.instance is not None:
            same_name = same_name.exclude(pk=self.instance.pk)
        if same_name.exists():
            raise serializers.ValidationError("This name is already in your library.")
        return value


class BulkDeleteResultSerializer(serializers.Serializer):
    deleted = serializers.IntegerField(help_text="How many authors were deleted.")
