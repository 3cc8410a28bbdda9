"""The signed-in person, for machine clients checking their token and the app's own pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from urbanmgmt import policy


@extend_schema(
    summary="The signed-in account and its posts",
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "posts": serializers.ListField(child=serializers.DictField()),
        },
    ),
)
@api_view(["GET"])
@authentication_classes(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
@permission_classes([IsAuthenticated])
def me(request: Request) -> Response:
    return Response(
        {
            "username": request.user.get_username(),
            "posts": [
                {
                    "role": post.role,
                    "unit": post.unit.code,
                    "unit_name": post.unit.name,
                    "department": post.department.code if post.department_id else None,
                }
                for post in policy.posts(request.user)
            ],
        }
    )
