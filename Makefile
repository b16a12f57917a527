# Build targets for `sam build` (template.yaml: Metadata BuildMethod: makefile, CodeUri: .).
# SAM calls build-<FunctionLogicalId> with ARTIFACTS_DIR set; each copies the function's
# shaded jar into lib/, where Lambda's Java runtime puts it on the classpath.
MVN ?= mvn

define package_function
	$(MVN) -B -q -DskipTests package -pl functions/$(1) -am
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp functions/$(1)/target/$(1)-*-lambda.jar "$(ARTIFACTS_DIR)/lib/"
endef

build-GatewayFunction:
	$(call package_function,gateway)
build-UserFunction:
	$(call package_function,user)
build-MemberFunction:
	$(call package_function,member)
build-FeatureFunction:
	$(call package_function,feature)
build-ExplainFunction:
	$(call package_function,explain)
build-AutoDeployFunction:
	$(call package_function,auto-deploy)
build-LinkFunction:
	$(call package_function,link-pages)
build-CommandFailureFunction:
	$(call package_function,failure-notice)
build-AccessCheckFunction:
	$(call package_function,access-check)

.PHONY: build-GatewayFunction build-UserFunction build-MemberFunction build-FeatureFunction \
	build-ExplainFunction build-AutoDeployFunction build-LinkFunction build-CommandFailureFunction \
	build-AccessCheckFunction
